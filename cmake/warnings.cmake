# Compiler warnings of every target. They are errors only when CCCD_WERROR is ON: CI and scripts/ turn it
# on, so code that warns does not get in; a packager's plain build with another compiler does not fail on
# a warning that compiler adds.
option(CCCD_WERROR "Treat compiler warnings as errors (CI and scripts/ turn it on)" OFF)

function(cccd_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
                              -Wcast-qual -Wformat=2 -Wimplicit-fallthrough>
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wpedantic -Wshadow -Wformat=2>)
  if(CCCD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
