# Options every target of our own gets: strict warnings as errors, optional sanitizers.
add_library(steward_compile_options INTERFACE)
target_compile_options(steward_compile_options INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wconversion -Wsign-conversion -Wnull-dereference -Wformat=2 -Wimplicit-fallthrough)

if(STEWARD_SANITIZE)
  target_compile_options(steward_compile_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(steward_compile_options INTERFACE -fsanitize=address,undefined)
endif()

if(STEWARD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "STEWARD_FUZZ needs clang (configure with CXX=clang++)")
  endif()
  # Coverage instrumentation for our code; the fuzz targets link libFuzzer's main.
  # Undefined behaviour is a finding, not a warning (a signed overflow reached from the network,
  # issue 13.4, was only printed and the run passed).
  target_compile_options(steward_compile_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(steward_compile_options INTERFACE -fsanitize=address,undefined)
endif()
