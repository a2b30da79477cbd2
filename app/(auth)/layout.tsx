import type { ReactNode } from 'react';

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-full items-center justify-center bg-surface-muted px-4 py-12">
      <div className="w-full max-w-sm rounded-xl bg-surface p-6 shadow-md ring-1 ring-line">{children}</div>
    </main>
  );
}
