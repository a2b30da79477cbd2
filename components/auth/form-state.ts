/** What a sign-in or sign-up server action hands back to its form. */
export interface FormState {
  fieldErrors?: Record<string, string>;
  formError?: string;
  values?: Record<string, string>;
}

export const initialFormState: FormState = {};

/**
 * The server's errors still worth showing once the user has edited some fields since the answer came: an error
 * about a field goes when that field is edited (it may be fixed now; the server re-checks on submit), and the
 * form-level error goes at the first edit of any field (it was about the whole attempt).
 */
export function visibleServerErrors(state: FormState, edited: ReadonlySet<string>): { fieldErrors: Record<string, string>; formError?: string } {
  const fieldErrors: Record<string, string> = {};
  for (const [name, message] of Object.entries(state.fieldErrors ?? {})) if (!edited.has(name)) fieldErrors[name] = message;
  return { fieldErrors, formError: edited.size > 0 ? undefined : state.formError };
}
