'use server';
/** Form adapters for sign-in, sign-up and sign-out: parse, call lib, map errors to form state. */
import { headers } from 'next/headers';
import { CredentialsSignin } from 'next-auth';
import { redirect } from 'next/navigation';
import { LoginRateLimited, LoginUnavailable, safeCallbackUrl, signIn, signOut } from '@/lib/auth';
import { clientIpFromHeaders } from '@/lib/client-ip';
import { registerUser } from '@/lib/data/registration';
import { AppError, zodIssues } from '@/lib/errors';
import { formatWait } from '@/lib/rate-limit';
import { loginSchema, registerSchema } from '@/lib/schemas/user';
import type { FormState } from '@/components/auth/form-state';

function fieldErrors(issues: { path: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) out[issue.path || 'form'] ??= issue.message;
  return out;
}

function text(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
}

/** Signs in through Auth.js; returns a form error, or redirects on success. */
async function signInAndRedirect(username: string, password: string, callbackUrl: string): Promise<FormState> {
  try {
    await signIn('credentials', { username, password, redirect: false });
  } catch (error) {
    if (error instanceof LoginRateLimited) {
      return { formError: `Too many sign-in attempts. Try again in ${formatWait(error.retryAfter)}.`, values: { username } };
    }
    if (error instanceof LoginUnavailable) {
      return { formError: 'The server is busy right now. Try again in a moment.', values: { username } };
    }
    if (error instanceof CredentialsSignin) {
      return { formError: 'Invalid username or password.', values: { username } };
    }
    throw error;
  }
  redirect(callbackUrl);
}

export async function loginAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const input = { username: text(formData, 'username'), password: text(formData, 'password') };
  const parsed = loginSchema.safeParse(input);
  if (!parsed.success) return { fieldErrors: fieldErrors(zodIssues(parsed.error)), values: { username: input.username } };
  return signInAndRedirect(parsed.data.username, parsed.data.password, safeCallbackUrl(formData.get('callbackUrl')));
}

export async function registerAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const input = {
    username: text(formData, 'username'),
    displayName: text(formData, 'displayName'),
    password: text(formData, 'password'),
    confirmPassword: text(formData, 'confirmPassword'),
    // Registration by invitation: the register page's hidden field (absent otherwise).
    ...(text(formData, 'inviteToken') ? { inviteToken: text(formData, 'inviteToken') } : {}),
  };
  const values = { username: input.username, displayName: input.displayName };
  const parsed = registerSchema.safeParse(input);
  if (!parsed.success) return { fieldErrors: fieldErrors(zodIssues(parsed.error)), values };
  try {
    await registerUser({ data: parsed.data, ip: clientIpFromHeaders(await headers()) });
  } catch (error) {
    if (error instanceof AppError && (error.code === 'CONFLICT' || error.code === 'RATE_LIMITED')) {
      return error.extra.issues
        ? { fieldErrors: fieldErrors(error.extra.issues), values }
        : { formError: error.message, values };
    }
    // Registration closed meanwhile, or the invitation is not (or no longer) valid.
    if (error instanceof AppError && error.code === 'FORBIDDEN') return { formError: error.message, values };
    throw error;
  }
  return signInAndRedirect(parsed.data.username, parsed.data.password, safeCallbackUrl(formData.get('callbackUrl')));
}

export async function logoutAction(): Promise<void> {
  await signOut({ redirectTo: '/login' });
}
