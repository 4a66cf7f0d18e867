# Installs the manual pages written in docs/man: the command-line programs' pages in section 1
# (<mandir>/man1), stewardd's in section 8 (<mandir>/man8), uncompressed (dh_compress gzips them
# in the Debian build). tests/man/check_man_pages.sh keeps them in step with the programs' --help.
include(GNUInstallDirs)

set(STEWARD_MAN_PAGE_DIR "${CMAKE_CURRENT_LIST_DIR}/../docs/man")

install(FILES
          "${STEWARD_MAN_PAGE_DIR}/steward.1"
          "${STEWARD_MAN_PAGE_DIR}/steward-device.1"
          "${STEWARD_MAN_PAGE_DIR}/steward-enroll.1"
          "${STEWARD_MAN_PAGE_DIR}/steward-svrdb.1"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
install(FILES "${STEWARD_MAN_PAGE_DIR}/stewardd.8"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man8")
