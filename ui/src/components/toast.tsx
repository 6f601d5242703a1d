// Short confirmations ("Copied", "Marked as posted") in the corner; they never block work.

import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { describeError } from "../lib/errors";

interface Toast {
  id: number;
  text: string;
  kind: "ok" | "error";
}

interface ToastApi {
  ok(text: string): void;
  error(error: unknown): void;
}

const ToastContext = createContext<ToastApi>({ ok: () => undefined, error: () => undefined });

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const push = useCallback((text: string, kind: Toast["kind"]) => {
    const id = next.current++;
    setToasts((t) => [...t.slice(-2), { id, text, kind }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), kind === "error" ? 6000 : 2500);
  }, []);
  const api = useMemo<ToastApi>(
    () => ({
      ok: (text) => push(text, "ok"),
      error: (error) => {
        const t = describeError(error);
        push(t.next ? `${t.sentence} ${t.next}` : t.sentence, "error");
      },
    }),
    [push],
  );
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" aria-live="polite" data-testid="toasts">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.kind === "error" ? "error" : ""}`} role={t.kind === "error" ? "alert" : "status"}>
            {t.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  return useContext(ToastContext);
}
