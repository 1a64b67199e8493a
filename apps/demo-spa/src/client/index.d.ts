// The page loads the client from ./client/index.js: libs/client compiled to ES modules, which
// `npm run build:spa` copies next to app.js. To the compiler that module is the client's source.
export * from '@bff/client';
