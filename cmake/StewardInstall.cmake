# Installs core as the plugin SDK: the shared library, its public headers, a CMake package
# config (find_package(Steward)) and a pkg-config file (steward.pc).
include(CMakePackageConfigHelpers)
# Plugins are private to stewardd and the same on every architecture: /usr/lib/steward/plugins
# (Debian policy 9.1.1 allows /usr/lib/<package>), where stewardd's default plugin_dir points.
set(STEWARD_PLUGIN_INSTALL_DIR "${CMAKE_INSTALL_PREFIX}/lib/steward/plugins")

install(TARGETS steward_core EXPORT StewardTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/include/steward DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT StewardTargets NAMESPACE Steward:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Steward)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/StewardConfig.cmake.in
  ${PROJECT_BINARY_DIR}/StewardConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Steward)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/StewardConfigVersion.cmake COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/StewardConfig.cmake ${PROJECT_BINARY_DIR}/StewardConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Steward)
configure_file(${PROJECT_SOURCE_DIR}/cmake/steward.pc.in ${PROJECT_BINARY_DIR}/steward.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/steward.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
