// "Advanced: type a file path": for files in the app's own folder (the app reads and writes
// typed paths only there; anything else must be chosen in the file window), and for
// end-to-end tests, which cannot drive the system's file dialogs.

import { useState } from "react";
import { Button, Fold } from "./ui";

export function PathFold({
  title,
  action,
  placeholder,
  onSubmit,
  busy,
  testId,
  folder,
}: {
  title: string;
  action: string;
  placeholder: string;
  onSubmit: (path: string) => void;
  busy?: boolean;
  testId: string;
  /** The app's own folder for these files, where typed paths are allowed. */
  folder?: string;
}) {
  const [path, setPath] = useState("");
  return (
    <Fold title={title} testId={`${testId}-fold`}>
      {folder ? (
        <p className="muted small">
          For your safety, a typed path works only inside Comment Finder's folder <span className="mono">{folder}</span>. For any other place, use the file
          window.
        </p>
      ) : null}
      <form
        className="row tight"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) onSubmit(path.trim());
        }}
      >
        <input
          className="input grow mono"
          value={path}
          placeholder={placeholder}
          onChange={(e) => setPath(e.target.value)}
          aria-label="File path"
          spellCheck={false}
          data-testid={`${testId}-input`}
        />
        <Button type="submit" busy={busy} disabled={!path.trim()} data-testid={`${testId}-submit`}>
          {action}
        </Button>
      </form>
    </Fold>
  );
}
