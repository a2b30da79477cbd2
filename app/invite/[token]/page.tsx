import type { Metadata } from 'next';
import { AuthCard } from '@/components/auth/auth-card';
import { InviteLanding } from '@/components/invite/invite-landing';
import { currentSession } from '@/lib/auth';
import { INVITE_TOKEN_PATTERN } from '@/lib/schemas/moderation';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Invitation · Parley' };

/**
 * An invitation link (docs/protocol.md §4.13, §4.15): what it leads to, and the way in. Opening it
 * changes nothing (a link from anywhere must not make anyone a member); joining is a button that POSTs.
 * Signed out, it offers signing in (or up) and coming back here.
 */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const session = await currentSession();
  return (
    <AuthCard>
      <InviteLanding token={INVITE_TOKEN_PATTERN.test(token) ? token : null} signedInAs={session?.user?.displayName ?? null} />
    </AuthCard>
  );
}
