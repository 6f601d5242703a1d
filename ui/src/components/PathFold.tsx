// "Advanced: type a file path": for people who prefer typing a path to a file window, and for
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
}: {
  title: string;
  action: string;
  placeholder: string;
  onSubmit: (path: string) => void;
  busy?: boolean;
  testId: string;
}) {
  const [path, setPath] = useState("");
  return (
    <Fold title={title} testId={`${testId}-fold`}>
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
