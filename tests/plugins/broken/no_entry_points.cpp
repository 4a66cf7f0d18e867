// A shared object that is not a Steward plugin: no steward_plugin_abi, no steward_plugin_register.
extern "C" __attribute__((visibility("default"))) int some_other_library_function() { return 42; }
