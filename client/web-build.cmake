# SPDX-License-Identifier: MIT
# porthole-web's build step (cmake -P): runs build.mjs when client/node_modules
# is installed; otherwise says what to run and leaves OUT alone, so the step
# runs again on the next build.
# usage: cmake -DNODE=node -DCLIENT=client -DOUT=dist -P web-build.cmake
foreach(m esbuild/package.json @novnc/novnc/core/rfb.js)
	if(NOT EXISTS ${CLIENT}/node_modules/${m})
		message("porthole-web: not built: ${CLIENT}/node_modules/${m} is missing: "
			"run npm ci --prefix ${CLIENT} (deploy/install-deps.sh); "
			"porthole-gateway will serve no web client")
		return()
	endif()
endforeach()
execute_process(COMMAND ${NODE} ${CLIENT}/build.mjs ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	message(FATAL_ERROR "porthole-web: build.mjs failed (${rc})")
endif()
