# `cmake --install` puts the libraries, their headers and a CMake package into the prefix,
# so that another project finds them with find_package(dop) and links dop::core (and
# dop::io where OpenCV was built in). tests/consumer is such a project.
include(CMakePackageConfigHelpers)

set(dop_install_targets dop_core)
if(DOP_WITH_OPENCV)
  list(APPEND dop_install_targets dop_io)
endif()
install(TARGETS ${dop_install_targets} EXPORT dopTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/dop" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(dop_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/dop)
install(EXPORT dopTargets NAMESPACE dop:: DESTINATION ${dop_cmake_dir})
set(DOP_PACKAGE_WITH_OPENCV ${DOP_WITH_OPENCV})
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/dopConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/dopConfig.cmake"
                              INSTALL_DESTINATION ${dop_cmake_dir})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/dopConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/dopConfig.cmake" "${PROJECT_BINARY_DIR}/dopConfigVersion.cmake"
        DESTINATION ${dop_cmake_dir})
