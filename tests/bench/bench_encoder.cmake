# SPDX-License-Identifier: MIT
# The encoder against x264's own command line (tests/bench/bench_encoder.sh),
# and against libx264 called directly on the same I420 (hence x264 here).
porthole_require_pkg(BENCH_X264 x264 libx264-dev)
add_executable(bench_encoder ${CMAKE_CURRENT_LIST_DIR}/bench_encoder.c)
target_link_libraries(bench_encoder PRIVATE porthole_enc_testlib
	PkgConfig::BENCH_X264)
