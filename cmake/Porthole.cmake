# SPDX-License-Identifier: MIT
# Helpers shared by the CMake files.

# porthole_require_file(VAR PATH DEBIAN_PACKAGE): a build input that a Debian
# package provides; a missing one stops configuration and names the package.
function(porthole_require_file var path package)
	if(NOT EXISTS "${path}")
		message(FATAL_ERROR
			"${path} not found: install the Debian package '${package}' "
			"(or run deploy/install-deps.sh)")
	endif()
	set(${var} "${path}" PARENT_SCOPE)
endfunction()

# porthole_require_program(VAR NAME DEBIAN_PACKAGE)
function(porthole_require_program var name package)
	find_program(_prog ${name})
	if(NOT _prog)
		message(FATAL_ERROR
			"program '${name}' not found: install the Debian package "
			"'${package}' (or run deploy/install-deps.sh)")
	endif()
	set(${var} "${_prog}" PARENT_SCOPE)
	unset(_prog CACHE)
endfunction()

# porthole_require_pkg(PREFIX PKGCONFIG_MODULE DEBIAN_PACKAGE): a library
# found through pkg-config; creates the imported target PkgConfig::PREFIX.
function(porthole_require_pkg prefix module package)
	find_package(PkgConfig REQUIRED)
	pkg_check_modules(${prefix} IMPORTED_TARGET ${module})
	if(NOT ${prefix}_FOUND)
		message(FATAL_ERROR
			"library '${module}' not found: install the Debian package "
			"'${package}' (or run deploy/install-deps.sh)")
	endif()
endfunction()

# porthole_require_lib(TARGET HEADER LIBNAME DEBIAN_PACKAGE): a library that
# ships no pkg-config file (http-parser, wslay); creates imported TARGET.
function(porthole_require_lib target header libname package)
	find_path(_inc ${header})
	find_library(_lib ${libname})
	if(NOT _inc OR NOT _lib)
		message(FATAL_ERROR
			"library '${libname}' (${header}) not found: install the Debian "
			"package '${package}' (or run deploy/install-deps.sh)")
	endif()
	add_library(${target} UNKNOWN IMPORTED)
	set_target_properties(${target} PROPERTIES IMPORTED_LOCATION "${_lib}"
		INTERFACE_INCLUDE_DIRECTORIES "${_inc}")
	unset(_inc CACHE)
	unset(_lib CACHE)
endfunction()
