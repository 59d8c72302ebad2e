// A plain form: its fields as an object on submit, a busy state, and one error line.
import { type FormEvent, type ReactNode, useState } from 'react';
import { messageFor } from './messages';

export function Form({
  onSubmit,
  submit,
  children,
  id,
}: {
  onSubmit: (values: Record<string, string | boolean>) => Promise<void>;
  submit: string;
  children: ReactNode;
  id?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function handle(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const values: Record<string, string | boolean> = {};
    for (const el of Array.from(form.elements) as HTMLInputElement[]) {
      if (!el.name) continue;
      values[el.name] = el.type === 'checkbox' ? el.checked : el.value;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(values);
    } catch (e) {
      setError(messageFor(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={handle} id={id}>
      {children}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Please wait…' : submit}
      </button>
    </form>
  );
}

export function Field({
  label,
  name,
  type = 'text',
  autoComplete,
  required = true,
}: {
  label: string;
  name: string;
  type?: string;
  autoComplete?: string;
  required?: boolean;
}) {
  return (
    <label>
      {label}
      <input name={name} type={type} autoComplete={autoComplete} required={required} />
    </label>
  );
}
