# SPDX-License-Identifier: MIT
# RDP end to end (bench_rdp.c): porthole-display's RDP server beside FreeRDP's
# shadow server, one headless libfreerdp client (tests/display) measuring both.
add_executable(bench_rdp ${CMAKE_CURRENT_LIST_DIR}/bench_rdp.c)
target_include_directories(bench_rdp PRIVATE ${PROJECT_SOURCE_DIR}/guest/demo)
target_link_libraries(bench_rdp PRIVATE porthole_rdp_client porthole_gwtest
	PkgConfig::BENCH_X11 m)
foreach(prog porthole-vmm porthole-display porthole-gateway porthole porthole-demo)
	if(TARGET ${prog})
		add_dependencies(bench_rdp ${prog})
	endif()
endforeach()
