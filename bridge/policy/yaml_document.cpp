#include "policy/yaml_document.hpp"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <vector>

#include "policy/policy_error.hpp"

namespace steward::bridge {

namespace {

// Records where each document starts; ignores everything else.
class DocumentStarts : public YAML::EventHandler {
public:
    std::vector<YAML::Mark> marks;

    void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

bool samePlace(const YAML::Mark& a, const YAML::Mark& b) { return a.pos == b.pos && a.line == b.line && a.column == b.column; }

PolicyError errorAt(const std::string& file, const YAML::Mark& mark, const std::string& detail) {
    if (mark.is_null()) return PolicyError(file, 0, 0, "", detail);
    return PolicyError(file, mark.line + 1, mark.column + 1, "", detail);
}

}  // namespace

YAML::Node loadSingleDocument(const std::string& text, const std::string& file) {
    {
        // At most three documents are looked at: one is right, two are too many, and a document
        // starting where the one before started means the parser is stuck.
        std::istringstream in(text);
        YAML::Parser parser(in);
        DocumentStarts starts;
        for (int i = 0; i < 3 && parser.HandleNextDocument(starts); ++i) {
            const auto& m = starts.marks;
            if (m.size() >= 2 && samePlace(m[m.size() - 1], m[m.size() - 2])) {
                throw errorAt(file, m.back(), "invalid YAML: unexpected text");
            }
        }
        if (starts.marks.size() >= 2) {
            throw errorAt(file, starts.marks[1], "more than one YAML document (one per file)");
        }
    }
    return YAML::Load(text);
}

}  // namespace steward::bridge
