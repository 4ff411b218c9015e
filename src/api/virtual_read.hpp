// Reading a virtual card whose data the caller already holds (the api layer's own entry points share it).
#pragma once

#include "sim/card_folder.hpp"

#include <cccd/reader.hpp>

namespace cccd::api {

// The built-in default card when `folder` is empty, else the card folder.
sim::CardData virtual_card_data(const std::filesystem::path& folder);
ChipDump read_card_data(const sim::CardData& data, const Credentials& credentials,
                        const ReadOptions& options);

}  // namespace cccd::api
