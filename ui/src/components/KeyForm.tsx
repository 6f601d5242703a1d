// Saving a key: paste, check live (for Gemini), store in the OS keychain. The key is never
// shown back: only "set / not set" and its last four characters.

import { useState } from "react";
import type { KeyStatus, SecretName } from "../api";
import { keyStatusText } from "../lib/format";
import { useDeleteKey, useSetKey } from "../lib/queries";
import { IconCheck } from "./icons";
import { useToast } from "./toast";
import { Button, ConfirmButton, ErrorNotice } from "./ui";

const NAMES: Record<SecretName, { title: string; placeholder: string; hint: string }> = {
  gemini: {
    title: "Gemini API key",
    placeholder: "Paste your key (it starts with AIza)",
    hint: "Writes the reply drafts. We check it with Google before saving it in your computer's keychain.",
  },
  apify: {
    title: "Apify token",
    placeholder: "Paste your Apify API token",
    hint: "Optional: lets the app fetch fresh posts from X through Apify.",
  },
  "x-bearer": {
    title: "X API bearer token",
    placeholder: "Paste your X API bearer token",
    hint: "Optional: lets the app search X directly if you have API access.",
  },
};

export function KeyForm({ secret, status, compact = false }: { secret: SecretName; status: KeyStatus | undefined; compact?: boolean }) {
  const [value, setValue] = useState("");
  const [editing, setEditing] = useState(false);
  const setKey = useSetKey();
  const del = useDeleteKey();
  const toast = useToast();
  const words = NAMES[secret];
  const isSet = status?.set ?? false;
  const showInput = !isSet || editing;
  const inputId = `key-${secret}`;

  // The failure is kept here rather than in the mutation, so the mutation (whose variables
  // hold the typed key) can be reset the moment it settles.
  const [error, setError] = useState<unknown>(null);

  const save = () => {
    if (!value.trim()) return;
    setError(null);
    setKey.mutate(
      { secret, value: value.trim() },
      {
        onSuccess: () => {
          setValue("");
          setEditing(false);
          toast.ok(secret === "gemini" ? "Key checked and saved." : "Saved.");
        },
        onError: (e) => setError(e),
        onSettled: () => setKey.reset(),
      },
    );
  };

  const cancel = () => {
    setValue("");
    setError(null);
    setEditing(false);
    setKey.reset();
  };

  return (
    <div className="stack" data-testid={`key-form-${secret}`}>
      <div className="row between">
        <div className="stack tight">
          <label htmlFor={inputId} className="field-label">
            <strong>{words.title}</strong>
          </label>
          {!compact ? <span className="muted small">{words.hint}</span> : null}
        </div>
        <span className={`pill ${isSet ? "green" : "plain"}`} data-testid={`key-status-${secret}`}>
          {status ? keyStatusText(status) : "…"}
        </span>
      </div>
      {status?.from_environment ? (
        <span className="muted small">This key comes from the GEMINI_API_KEY environment variable, which wins over a saved key.</span>
      ) : null}
      {showInput ? (
        <form
          className="row tight"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <input
            id={inputId}
            className="input grow"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder={words.placeholder}
            value={value}
            onChange={(e) => {
              setValue(e.target.value);
              setError(null);
            }}
            data-testid={`key-input-${secret}`}
            aria-invalid={error != null || undefined}
          />
          <Button type="submit" variant="primary" busy={setKey.isPending} disabled={!value.trim()} data-testid={`key-save-${secret}`}>
            {setKey.isPending ? (secret === "gemini" ? "Checking…" : "Saving…") : secret === "gemini" ? "Check and save" : "Save"}
          </Button>
          {editing ? (
            <Button variant="ghost" onClick={cancel} data-testid={`key-cancel-${secret}`}>
              Cancel
            </Button>
          ) : null}
        </form>
      ) : (
        <div className="row tight">
          <span className="muted small row tight">
            <IconCheck width={16} height={16} /> Stored in your computer's keychain.
          </span>
          <span className="grow" />
          <Button size="sm" onClick={() => setEditing(true)} data-testid={`key-replace-${secret}`}>
            Replace
          </Button>
          <ConfirmButton
            size="sm"
            variant="danger"
            busy={del.isPending}
            data-testid={`key-remove-${secret}`}
            confirmTitle={`Remove the ${words.title.toLowerCase()}?`}
            confirmText="It is deleted from this computer's keychain. You can add it again at any time."
            confirmLabel="Remove"
            onConfirm={() => del.mutate(secret)}
          >
            Remove
          </ConfirmButton>
        </div>
      )}
      <ErrorNotice error={error ?? del.error} testId={`key-error-${secret}`} />
    </div>
  );
}
