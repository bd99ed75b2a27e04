import { defineConfig } from 'vite';

// The storefront and back office: one single-page app served by the web tier.
export default defineConfig({
  root: 'src/client',
  publicDir: false,
  build: {
    outDir: '../../dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      onwarn(warning, warn) {
        // react-router ships "use client" markers for server components; a client bundle ignores them
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  esbuild: { jsx: 'automatic' },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8081', '/collect': 'http://127.0.0.1:8081', '/media': 'http://127.0.0.1:8081' },
  },
});
