# Start-up order. ld.so binds each of the ~150,000 symbols the libraries
# need at start-up by walking the global scope, the executable's DT_NEEDED
# entries first and then their dependencies breadth-first (293 libraries
# with Debian's LibTorch, whose libtorch_cpu needs OpenCV, GDAL and
# FFmpeg); a symbol of a library deep in that walk costs the longest
# search. raftsim_startup_order() names the libraries in
# cmake/startup-libraries.txt, each only if libtorch_cpu loads it anyway,
# after the own dependencies of the executables and shared libraries of
# the calling directory. It goes through CMAKE_CXX_STANDARD_LIBRARIES, the
# one place CMake puts after them; call it after add_subdirectory so that
# tests and the Python module keep the plain order. The same libraries
# load and every symbol binds to the same library as without the list,
# only sooner (test_startup_order checks it on each build that has it).
# On by default; -DRAFTSIM_STARTUP_ORDER=OFF turns it off.
# libstdc++, libgcc_s and libc come first among them, where the compiler
# driver would put them, so that nothing named later can interpose on them.
function(raftsim_startup_order)
  if(NOT RAFTSIM_STARTUP_ORDER)
    return()
  endif()
  find_library(RAFTSIM_TORCH_CPU_LIBRARY torch_cpu)
  find_program(RAFTSIM_LDD ldd)
  if(NOT RAFTSIM_TORCH_CPU_LIBRARY OR NOT RAFTSIM_LDD)
    message(STATUS "raftsim: start-up order off (needs ldd and libtorch_cpu)")
    return()
  endif()
  execute_process(COMMAND ${RAFTSIM_LDD} ${RAFTSIM_TORCH_CPU_LIBRARY}
                  OUTPUT_VARIABLE closure RESULT_VARIABLE rc ERROR_QUIET)
  if(NOT rc EQUAL 0)
    message(STATUS "raftsim: start-up order off (ldd ${RAFTSIM_TORCH_CPU_LIBRARY} failed)")
    return()
  endif()
  file(STRINGS ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/startup-libraries.txt sonames REGEX "^[^#]")
  set(paths)
  foreach(soname IN LISTS sonames)
    string(REGEX REPLACE "([.+])" "\\\\\\1" pattern "${soname}")
    if(closure MATCHES "\n[ \t]*${pattern} => ([^ \n]+)")
      list(APPEND paths ${CMAKE_MATCH_1})
    endif()
  endforeach()
  list(LENGTH sonames listed)
  list(LENGTH paths named)
  message(STATUS "raftsim: start-up order names ${named} of ${listed} listed libraries")
  list(JOIN paths " " paths)
  set(CMAKE_CXX_STANDARD_LIBRARIES
      "${CMAKE_CXX_STANDARD_LIBRARIES} -Wl,--push-state,--no-as-needed -lstdc++ -lgcc_s -l:libc.so.6 ${paths} -Wl,--pop-state"
      PARENT_SCOPE)
endfunction()
