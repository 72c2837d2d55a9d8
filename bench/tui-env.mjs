// Imported first by bench/tui.mjs: styles on (as on a colour terminal) before chalk loads, so the
// benchmark sees the selected row's inverse video in Ink's frames even when its output is piped.
process.env.FORCE_COLOR ??= '1';
// As `dwell tui` does (src/tui/run.ts): React's production build.
process.env.NODE_ENV ??= 'production';
