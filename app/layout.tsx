import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Parley',
  description: 'Self-hosted real-time chat',
  icons: { icon: '/favicon.svg' },
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

// Every page, the 404 page included, is rendered per request: Next puts the request's CSP nonce on its
// scripts only then (lib/security-headers.ts); a prerendered page's scripts would be blocked.
export const dynamic = 'force-dynamic';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className="h-full">
      <body className="h-full bg-white text-slate-900 antialiased">{children}</body>
    </html>
  );
}
