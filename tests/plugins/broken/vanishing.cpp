// The dependency of missing_dependency.so, removed right after that plugin is linked.
extern "C" __attribute__((visibility("default"))) int steward_vanishing_function() { return 1; }
