// The public read entry points: open the right channel, run the session.
#include "api/virtual_read.hpp"
#include "reader/session.hpp"
#include "sim/generator.hpp"
#include "sim/virtual_card.hpp"
#include "transport/pcsc_channel.hpp"

#include <cccd/reader.hpp>

namespace cccd {

namespace api {

sim::CardData virtual_card_data(const std::filesystem::path& folder) {
  return folder.empty() ? sim::default_card() : sim::load_card_folder(folder);
}

ChipDump read_card_data(const sim::CardData& data, const Credentials& credentials,
                        const ReadOptions& options) {
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  return reader::read_chip(channel, credentials, options);
}

}  // namespace api

ChipDump read_virtual_card(const std::filesystem::path& folder, const Credentials& credentials,
                           const ReadOptions& options) {
  return api::read_card_data(api::virtual_card_data(folder), credentials, options);
}

ChipDump read_pcsc_card(std::string_view reader_name, const Credentials& credentials,
                        const ReadOptions& options) {
  transport::PcscContext context;
  transport::PcscChannel channel(context, reader_name);
  return reader::read_chip(channel, credentials, options);
}

std::vector<std::string> list_pcsc_readers() {
  transport::PcscContext context;
  return context.readers();
}

}  // namespace cccd
