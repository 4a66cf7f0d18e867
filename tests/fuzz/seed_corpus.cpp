// Writes valid encodings of a fully populated device as the fuzzers' starting corpus.
#include <filesystem>
#include <iostream>

#include "core/model/sample_resources.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/svr/svr_file_format.hpp"
#include "steward/util/atomic_file.hpp"

using namespace steward::core;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: fuzz_seed_corpus OUTDIR\n";
        return 2;
    }
    const std::filesystem::path out = argv[1];
    const SecurityResources r = steward::test::sampleResources();
    const SecurityResources factory;
    const std::vector<std::pair<std::string, std::vector<Bytes>>> seeds = {
        {"doxm", {encodeDoxm(r.doxm), encodeDoxm(factory.doxm)}},
        {"pstat", {encodePstat(r.pstat), encodePstat(factory.pstat)}},
        {"cred", {encodeCred(r.cred, PrivateData::Include), encodeCred(r.cred, PrivateData::Omit)}},
        {"acl2", {encodeAcl2(r.acl), encodeAcl2(factory.acl)}},
        {"pconf", {encodePconf(*r.pconf, PrivateData::Include)}},
        {"dpairing", {encodeDpairing(*r.dpairing)}},
        {"svrdb", {encodeSvrDocument(SvrDocument{r, r})}},
        {"cbor", {encodeAcl2(r.acl), encodeCred(r.cred, PrivateData::Include)}},
    };
    for (const auto& [name, items] : seeds) {
        std::filesystem::create_directories(out / name);
        for (std::size_t i = 0; i < items.size(); ++i) {
            writeFileAtomically(out / name / ("seed" + std::to_string(i)), items[i], {0644, {}});
        }
    }
    std::cout << "seed corpus written to " << out << "\n";
    return 0;
}
