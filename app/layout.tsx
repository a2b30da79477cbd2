import type { Metadata, Viewport } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import '@fontsource-variable/inter';
import { parseTheme, THEME_COOKIE } from '@/lib/theme';
import './globals.css';

export const metadata: Metadata = {
  title: 'Parley',
  description: 'Self-hosted real-time chat',
  icons: { icon: '/favicon.svg' },
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#0f141c' },
  ],
};

// Every page, the 404 page included, is rendered per request: Next puts the request's CSP nonce on its
// scripts only then (lib/security-headers.ts); a prerendered page's scripts would be blocked.
export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme} className="h-full">
      <body className="h-full bg-surface font-sans text-fg antialiased">{children}</body>
    </html>
  );
}
