# Compressed debug sections. Each test program links the whole static core with its debug information,
# so an uncompressed RelWithDebInfo tree is about 2.5 GB, and CI builds it three times (plain, ASan,
# TSan). zlib-compressed sections (-gz: the compiler's objects, the linker's output) are read as they
# are by gdb, valgrind, the sanitizers' symbolizers, perf and addr2line; split DWARF, which would also
# save the copies, is not (valgrind 3.19 gives up on a skeleton unit). On by default in a project of
# its own; a build that includes libcccd as a subproject keeps its own flags.
include(CheckCXXCompilerFlag)
include(CheckLinkerFlag)
option(CCCD_COMPRESS_DEBUG_INFO "Compress the debug sections of objects, libraries and programs (-gz)"
       ${PROJECT_IS_TOP_LEVEL})
if(CCCD_COMPRESS_DEBUG_INFO)
  check_cxx_compiler_flag(-gz CCCD_COMPILER_HAS_GZ)
  check_linker_flag(CXX -gz CCCD_LINKER_HAS_GZ)
  if(CCCD_COMPILER_HAS_GZ AND CCCD_LINKER_HAS_GZ)
    add_compile_options(-gz)
    add_link_options(-gz)
  else()
    message(STATUS "CCCD_COMPRESS_DEBUG_INFO: the compiler or linker does not take -gz; left uncompressed")
  endif()
endif()
