// The officer's page (src/agent/page/), compiled into cccd-agent by src/agent/embed_page.cmake: the
// program serves exactly these files and never looks at a folder, so there is nothing to list and no
// path to climb out of.
#pragma once

#include <cstddef>
#include <string_view>

namespace cccd::agent {

struct PageAsset {
  std::string_view path;          // "/", "/app.js" ...
  std::string_view content_type;  // "text/html; charset=utf-8" ...
  const unsigned char* data;
  std::size_t size;
};

extern const PageAsset kPageAssets[];
extern const std::size_t kPageAssetCount;

}  // namespace cccd::agent
