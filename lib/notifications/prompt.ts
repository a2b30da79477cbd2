/**
 * When to ask for browser notifications, pure. Never on page load: only once the person has taken part
 * (sent a message in this browser, or opened a direct conversation), and never again once dismissed.
 */

/** localStorage keys (this browser). */
export const PROMPT_STORAGE = {
  /** '1' once I have sent a message or opened a direct conversation here. */
  eligible: 'parley:notifications:eligible',
  /** '1' once I closed the prompt. */
  dismissed: 'parley:notifications:dismissed',
} as const;

export interface PromptInput {
  permission: NotificationPermission | 'unsupported';
  eligible: boolean;
  dismissed: boolean;
}

/** 'ask': offer to turn them on; 'blocked': say how to allow them again in the browser; 'none': say nothing. */
export type PromptView = 'ask' | 'blocked' | 'none';

export function promptView({ permission, eligible, dismissed }: PromptInput): PromptView {
  if (permission === 'unsupported' || permission === 'granted' || dismissed || !eligible) return 'none';
  return permission === 'denied' ? 'blocked' : 'ask';
}
