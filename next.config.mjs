/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Packages that must stay plain Node modules (native bindings, worker threads, their own file loading).
  serverExternalPackages: ['pino', 'pg', '@prisma/adapter-pg', 'bcryptjs', 'piscina', 'rate-limiter-flexible', 'prom-client'],
  experimental: {
    // Server actions carry form posts; anything larger is not a login or a message.
    serverActions: { bodySizeLimit: '64kb' },
  },
};

export default nextConfig;
