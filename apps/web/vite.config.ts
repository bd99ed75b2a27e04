import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

// The storefront and back office: one single-page app served by the web tier.
export default defineConfig({
  root: 'src/client',
  publicDir: false,
  build: {
    outDir: '../../dist',
    emptyOutDir: true,
    // maps are written for operators (dist/assets/*.map) but not linked from the bundles, and the
    // web tier never serves them: the shop's source is no one else's business
    sourcemap: 'hidden',
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
  // .br and .gz beside every built file, at the highest levels, sent as they are by the web tier
  plugins: [compression({ algorithms: ['brotliCompress', 'gzip'], exclude: [/\.map$/, /index\.html$/] })],
  server: {
    proxy: { '/api': 'http://127.0.0.1:8081', '/collect': 'http://127.0.0.1:8081', '/media': 'http://127.0.0.1:8081' },
  },
});
