'use client';
import { useState } from 'react';
import { ChangePasswordForm } from './change-password-form';
import { SessionsList } from './sessions-list';

/** The security half of the account page: password, and where I am signed in. */
export function SecuritySettings() {
  // A password change signs the other sessions out: the list reloads to show it.
  const [refreshKey, setRefreshKey] = useState(0);
  return (
    <>
      <section aria-labelledby="password-heading" className="mt-8">
        <h2 id="password-heading" className="text-lg font-semibold">
          Password
        </h2>
        <p className="mb-4 mt-1 text-sm text-fg-muted">Changing it signs you out everywhere else.</p>
        <ChangePasswordForm onChanged={() => setRefreshKey((k) => k + 1)} />
      </section>
      <section aria-labelledby="sessions-heading" className="mt-8">
        <h2 id="sessions-heading" className="text-lg font-semibold">
          Where you are signed in
        </h2>
        <p className="mb-4 mt-1 text-sm text-fg-muted">Sign out a device you no longer use or do not recognise.</p>
        <SessionsList refreshKey={refreshKey} />
      </section>
    </>
  );
}
