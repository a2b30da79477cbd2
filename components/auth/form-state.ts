/** What a sign-in or sign-up server action hands back to its form. */
export interface FormState {
  fieldErrors?: Record<string, string>;
  formError?: string;
  values?: Record<string, string>;
}

export const initialFormState: FormState = {};
