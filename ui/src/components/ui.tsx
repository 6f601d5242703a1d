// The small component kit every screen uses.

import { useEffect, useId, useRef, useState, type ButtonHTMLAttributes, type ReactNode } from "react";
import { describeError } from "../lib/errors";
import type { Label } from "../api";

type ButtonVariant = "primary" | "secondary" | "ghost" | "danger";

export function Button({
  variant = "secondary",
  size,
  busy = false,
  icon,
  children,
  className,
  disabled,
  type = "button",
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: ButtonVariant;
  size?: "sm" | "lg";
  busy?: boolean;
  icon?: ReactNode;
}) {
  const classes = ["btn", variant === "secondary" ? "" : variant, size ?? "", className ?? ""].filter(Boolean).join(" ");
  return (
    <button type={type} className={classes} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy ? <Spinner /> : icon}
      {children}
    </button>
  );
}

export function Spinner({ label }: { label?: string }) {
  return <span className="spinner" role={label ? "status" : undefined} aria-label={label} />;
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <div className="loading" role="status">
      <Spinner /> {what}…
    </div>
  );
}

export function Field({
  label,
  hint,
  error,
  children,
  htmlFor,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  children: ReactNode;
  htmlFor?: string;
}) {
  return (
    <div className="field">
      {htmlFor ? <label htmlFor={htmlFor}>{label}</label> : <span className="field-label">{label}</span>}
      {children}
      {hint && !error ? <span className="hint">{hint}</span> : null}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** An error as a plain sentence, what to do next, and the technical detail folded away. */
export function ErrorNotice({ error, onRetry, testId }: { error: unknown; onRetry?: () => void; testId?: string }) {
  if (error == null) return null;
  const t = describeError(error);
  return (
    <div className="notice error" role="alert" data-testid={testId ?? "error-notice"}>
      <div className="notice-body">
        <strong>{t.sentence}</strong>
        {t.reason ? <span>{t.reason}</span> : null}
        {t.next ? <span>{t.next}</span> : null}
        <details className="details-fold">
          <summary>Details</summary>
          <pre>{t.details}</pre>
        </details>
      </div>
      {onRetry ? (
        <Button size="sm" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}

export function Notice({
  kind = "info",
  title,
  children,
  action,
  testId,
}: {
  kind?: "info" | "ok" | "warn" | "error";
  title?: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
  testId?: string;
}) {
  return (
    <div className={`notice ${kind}`} role={kind === "error" ? "alert" : "status"} data-testid={testId}>
      <div className="notice-body">
        {title ? <strong>{title}</strong> : null}
        {children}
      </div>
      {action}
    </div>
  );
}

export function EmptyState({
  icon,
  title,
  children,
  action,
  testId,
}: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="empty" data-testid={testId}>
      {icon ? <div className="empty-icon">{icon}</div> : null}
      <h2>{title}</h2>
      {children ? <p>{children}</p> : null}
      {action}
    </div>
  );
}

export function PageHeader({ title, lead, actions }: { title: string; lead?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {lead ? <p className="lead">{lead}</p> : null}
      </div>
      {actions ? <div className="actions">{actions}</div> : null}
    </header>
  );
}

export function Card({
  title,
  lead,
  actions,
  children,
  className,
  testId,
}: {
  title?: ReactNode;
  lead?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={`card ${className ?? ""}`} data-testid={testId}>
      {title || actions ? (
        <div className="card-head">
          <div className="stack tight">
            {title ? <h2>{title}</h2> : null}
            {lead ? <p>{lead}</p> : null}
          </div>
          {actions ? <div className="row tight">{actions}</div> : null}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function Stat({ label, value, testId }: { label: ReactNode; value: ReactNode; testId?: string }) {
  return (
    <div className="stat">
      <span className="value" data-testid={testId}>
        {value}
      </span>
      <span className="label">{label}</span>
    </div>
  );
}

export function LabelPill({ label }: { label: Label | string }) {
  const words: Record<string, string> = { green: "Green", yellow: "Yellow", red: "Red" };
  const title: Record<string, string> = {
    green: "Reply now: a strong match that is taking off",
    yellow: "Worth a look",
    red: "Low priority",
  };
  return (
    <span className={`pill ${label}`} title={title[label]}>
      {words[label] ?? label}
    </span>
  );
}

export function ProgressBar({
  percent,
  state = "running",
  label,
  testId,
}: {
  percent: number;
  state?: "running" | "paused" | "done";
  label: string;
  testId?: string;
}) {
  const p = Math.max(0, Math.min(100, percent));
  return (
    <div
      className={`progress ${state === "running" ? "" : state}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(p)}
      data-testid={testId}
    >
      <div style={{ width: `${p}%` }} />
    </div>
  );
}

export function Fold({ title, children, open, testId }: { title: ReactNode; children: ReactNode; open?: boolean; testId?: string }) {
  return (
    <details className="fold" open={open} data-testid={testId}>
      <summary>{title}</summary>
      <div className="fold-body">{children}</div>
    </details>
  );
}

export function Segmented<T extends string>({
  value,
  options,
  onChange,
  label,
  testId,
}: {
  value: T;
  options: Array<{ value: T; label: string }>;
  onChange: (v: T) => void;
  label: string;
  /** Each option's button gets `<testId>-<value>`. */
  testId?: string;
}) {
  return (
    <div className="segmented" role="group" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={o.value === value}
          onClick={() => onChange(o.value)}
          data-testid={testId ? `${testId}-${o.value}` : undefined}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

export function Checkbox({ checked, onChange, children, testId }: { checked: boolean; onChange: (v: boolean) => void; children: ReactNode; testId?: string }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      {children}
    </label>
  );
}

/** A number input that keeps what is typed and reports numbers (NaN while it is not one). */
export function NumberInput({
  value,
  onChange,
  min,
  max,
  step,
  id,
  testId,
  className,
  disabled,
}: {
  value: number;
  onChange: (v: number) => void;
  disabled?: boolean;
  min?: number;
  max?: number;
  step?: number;
  id?: string;
  testId?: string;
  className?: string;
}) {
  return (
    <input
      id={id}
      className={`input ${className ?? ""}`}
      type="number"
      inputMode="decimal"
      value={Number.isFinite(value) ? value : ""}
      min={min}
      max={max}
      step={step}
      data-testid={testId}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value === "" ? Number.NaN : Number(e.target.value))}
    />
  );
}

export function Dialog({ title, children, onClose, actions }: { title: string; children: ReactNode; onClose: () => void; actions: ReactNode }) {
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>("textarea, input, select, button");
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        onClose();
      }
    };
    window.addEventListener("keydown", onKey, true);
    return () => {
      window.removeEventListener("keydown", onKey, true);
      previous?.focus?.();
    };
  }, [onClose]);
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={id} ref={ref}>
        <h2 id={id}>{title}</h2>
        {children}
        <div className="row end">{actions}</div>
      </div>
    </div>
  );
}

export function Kbd({ children }: { children: ReactNode }) {
  return <kbd className="kbd">{children}</kbd>;
}

/**
 * A button that asks before doing something that can't be undone. An in-app dialog, because
 * `window.confirm` does nothing in some desktop webviews and can't be driven by E2E tests.
 */
export function ConfirmButton({
  confirmTitle,
  confirmText,
  confirmLabel,
  onConfirm,
  children,
  ...button
}: Omit<Parameters<typeof Button>[0], "onClick"> & {
  confirmTitle: string;
  confirmText: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button {...button} onClick={() => setOpen(true)}>
        {children}
      </Button>
      {open ? (
        <Dialog
          title={confirmTitle}
          onClose={() => setOpen(false)}
          actions={
            <>
              <Button variant="ghost" onClick={() => setOpen(false)} data-testid="confirm-no">
                Cancel
              </Button>
              <Button
                variant="danger"
                data-testid="confirm-yes"
                onClick={() => {
                  setOpen(false);
                  onConfirm();
                }}
              >
                {confirmLabel}
              </Button>
            </>
          }
        >
          <p>{confirmText}</p>
        </Dialog>
      ) : null}
    </>
  );
}
