import type { Metadata, Viewport } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import '@fontsource-variable/inter';
import { ServiceWorkerRegistration } from '@/components/service-worker';
import { StyleNonce } from '@/components/style-nonce';
import { Toaster } from '@/components/ui/toast';
import { TooltipProvider } from '@/components/ui/tooltip';
import { parseTheme, THEME_COOKIE } from '@/lib/theme';
import './globals.css';

export const metadata: Metadata = {
  title: 'Parley',
  description: 'Self-hosted real-time chat',
  applicationName: 'Parley',
  icons: {
    icon: [
      { url: '/favicon.ico', sizes: '48x48' },
      { url: '/favicon.svg', type: 'image/svg+xml' },
    ],
    apple: [{ url: '/apple-touch-icon.png', sizes: '180x180' }],
  },
  appleWebApp: { capable: true, title: 'Parley', statusBarStyle: 'default' },
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
      <body className="h-full bg-surface font-sans text-fg antialiased">
        {/* The first Tab stop of every page (WCAG 2.4.1); every page has one <main id="main" tabIndex={-1}>. */}
        <a
          href="#main"
          className="sr-only rounded-control bg-accent px-4 py-2 font-medium text-white shadow-overlay outline-none focus:not-sr-only focus:fixed focus:left-3 focus:top-3 focus:z-[200] focus:ring-2 focus:ring-focus focus:ring-offset-2"
        >
          Skip to content
        </a>
        <TooltipProvider>{children}</TooltipProvider>
        <Toaster />
        <ServiceWorkerRegistration />
        <StyleNonce />
      </body>
    </html>
  );
}
