# Writes the version source (script mode, run on every build by core's steward_version target):
#   cmake -DSOURCE_DIR=... -DPROJECT_VERSION=... -DGIT_EXECUTABLE=... -DINPUT=... -DOUTPUT=... -P StewardVersion.cmake
# The text is PROJECT_VERSION, plus " (git <describe>)" when SOURCE_DIR is the top of a git
# checkout (a tarball unpacked inside some other repository is not described by it).
# configure_file() leaves OUTPUT untouched when the text is the same, so only a new commit or a
# clean/dirty change recompiles that one file.
set(STEWARD_PROJECT_VERSION "${PROJECT_VERSION}")
set(STEWARD_VERSION_TEXT "${PROJECT_VERSION}")

if(GIT_EXECUTABLE AND EXISTS "${SOURCE_DIR}/.git")
  # `git describe --always --dirty` would take the index lock to refresh it, and a build running
  # beside a `git commit` must never make that commit fail: describe without --dirty, and decide
  # "dirty" with a status that takes no optional lock (same answer: tracked files only).
  set(ENV{GIT_OPTIONAL_LOCKS} 0)
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --show-toplevel
                  WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE top RESULT_VARIABLE top_rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(top_rc EQUAL 0)
    file(REAL_PATH "${top}" top)
    file(REAL_PATH "${SOURCE_DIR}" source)
  endif()
  if(top_rc EQUAL 0 AND top STREQUAL source)
    execute_process(COMMAND "${GIT_EXECUTABLE}" describe --always
                    WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE describe RESULT_VARIABLE describe_rc
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    execute_process(COMMAND "${GIT_EXECUTABLE}" status --porcelain --untracked-files=no
                    WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE changes RESULT_VARIABLE status_rc
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(describe_rc EQUAL 0 AND NOT describe STREQUAL "")
      if(status_rc EQUAL 0 AND NOT changes STREQUAL "")
        string(APPEND describe "-dirty")
      endif()
      set(STEWARD_VERSION_TEXT "${PROJECT_VERSION} (git ${describe})")
    endif()
  endif()
endif()

configure_file("${INPUT}" "${OUTPUT}" @ONLY)
