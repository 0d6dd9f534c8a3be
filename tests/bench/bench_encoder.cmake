# SPDX-License-Identifier: MIT
# The encoder against x264's own command line (tests/bench/bench_encoder.sh).
add_executable(bench_encoder ${CMAKE_CURRENT_LIST_DIR}/bench_encoder.c)
target_link_libraries(bench_encoder PRIVATE porthole_enc_testlib)
