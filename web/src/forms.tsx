/** Form pieces shared by the workspace: a labelled input whose server refusal is shown next to it. */
import type { ReactNode } from 'react';

export type Refusal = { field?: string; message: string } | undefined;

type InputProps = {
  id: string;
  name: string;
  label: string;
  /** The refusal, shown here when it names this field. */
  error?: Refusal;
  type?: 'text' | 'date' | 'number' | 'textarea' | 'select';
  defaultValue?: string;
  options?: Array<[string, string]>;
  hint?: string;
  step?: string;
};

/** A label, its control and, when the server named this field, its message (aria-invalid, aria-describedby). */
export function Input({ id, name, label, error, type = 'text', defaultValue, options, hint, step }: InputProps) {
  const err = error && error.field === name ? error.message : undefined;
  const a11y = { id, name, 'aria-invalid': err ? true : undefined, 'aria-describedby': err ? `${id}-error` : undefined } as const;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {hint ? ` (${hint})` : ''}
      </label>
      {type === 'textarea' ? (
        <textarea {...a11y} defaultValue={defaultValue} rows={8} spellCheck={false} />
      ) : type === 'select' ? (
        <select {...a11y} defaultValue={defaultValue}>
          {options?.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      ) : (
        <input {...a11y} type={type} defaultValue={defaultValue} step={step} autoComplete="off" />
      )}
      {err && (
        <span id={`${id}-error`} role="alert" className="error">
          {err}
        </span>
      )}
    </div>
  );
}

/** A refusal that names none of the form's fields (a 409), shown beside the form's button. */
export function Unplaced({ error, fields, id }: { error: Refusal; fields: string[]; id: string }): ReactNode {
  if (!error || (error.field && fields.includes(error.field))) return null;
  return (
    <span id={id} role="alert" className="error">
      {error.message}
    </span>
  );
}

export const formValues = (form: HTMLFormElement) => Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, String(v).trim()]));
