# cmake --install: the CLI, libflatbert.so and libflatbert.a, the public headers, the default model (where an
# installed `flatbert` looks when given no --model), the Python package, pkg-config and CMake package files.
# CPack makes the same tree a .deb (`cpack -G DEB` in the build directory).
include(CMakePackageConfigHelpers)

install(TARGETS flatbert_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS flatbert_shared EXPORT flatbertTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS flatbert ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})  # the C++ API, linked statically
install(DIRECTORY include/flatbert DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES models/default.fbm DESTINATION ${CMAKE_INSTALL_DATADIR}/flatbert/models)

# Paths written into the installed files are relative to where they are installed, so a tree installed with
# --prefix, a DESTDIR or a .deb all work.
function(flatbert_depth path out)
  string(REGEX MATCHALL "[^/]+" parts "${path}")
  list(LENGTH parts depth)
  set(${out} ${depth} PARENT_SCOPE)
endfunction()

# Python: lib/python3/dist-packages is on Debian's sys.path for /usr; elsewhere add it to PYTHONPATH.
set(FLATBERT_PYTHON_DIR lib/python3/dist-packages)
flatbert_depth("${FLATBERT_PYTHON_DIR}/flatbert" FLATBERT_PYTHON_DEPTH)
configure_file(cmake/package/_installed.py.in ${CMAKE_BINARY_DIR}/python/_installed.py @ONLY)
install(FILES python/flatbert/__init__.py ${CMAKE_BINARY_DIR}/python/_installed.py
        DESTINATION ${FLATBERT_PYTHON_DIR}/flatbert)

flatbert_depth("${CMAKE_INSTALL_LIBDIR}/pkgconfig" pc_depth)
string(REPEAT "/.." ${pc_depth} FLATBERT_PC_UP)
configure_file(cmake/package/flatbert.pc.in ${CMAKE_BINARY_DIR}/flatbert.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/flatbert.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/flatbert)
install(EXPORT flatbertTargets NAMESPACE flatbert:: DESTINATION ${config_dir})
configure_package_config_file(cmake/package/flatbertConfig.cmake.in ${CMAKE_BINARY_DIR}/flatbertConfig.cmake
                              INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/flatbertConfigVersion.cmake COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/flatbertConfig.cmake ${CMAKE_BINARY_DIR}/flatbertConfigVersion.cmake
        DESTINATION ${config_dir})

# .deb: amd64 here, arm64 / armhf from the cross builds (cmake/toolchains).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "armv7|arm")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE armhf)
else()
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
endif()
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME flatbert)
set(CPACK_PACKAGE_VENDOR flatbert)
set(CPACK_PACKAGE_CONTACT "flatbert maintainers <maintainers@flatbert.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "quantized BERT-family text classifiers on the CPU, with a default tweet model")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# What the binaries link (fixed rather than dpkg-shlibdeps, which cannot read the cross builds' libraries).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1, libutf8proc2, zlib1g, libmicrohttpd12")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3")
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/packages)
include(CPack)
