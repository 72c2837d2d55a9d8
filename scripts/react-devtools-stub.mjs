// Stands in for react-devtools-core (not a dependency) in the TUI bundle; see bundle-tui.mjs.
export default {
  initialize() {
    throw new Error('react-devtools-core is not installed in this build of dwell');
  },
  connectToDevTools() {},
};
