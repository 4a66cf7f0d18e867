#include "pdm/poco_pdm.hpp"

#include <Poco/Data/Statement.h>

namespace steward::core::detail {

using namespace Poco::Data::Keywords;

PocoPdm::PocoPdm(Poco::Data::Session session, std::string label, SqlDialect dialect)
    : session_(std::move(session)), label_(std::move(label)), dialect_(std::move(dialect)) {}

PocoPdm::~PocoPdm() {
    try {
        session_.close();
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing left to report to
    }
}

PdmError PocoPdm::failure(const std::string& op, const std::string& reason) const { return PdmError(label_ + ": " + op + ": " + reason); }

void PocoPdm::execute(const std::string& op, const std::string& sql) {
    try {
        session_ << sql, now;
    } catch (const Poco::Exception& e) {
        throw failure(op, e.displayText());
    }
}

void PocoPdm::rollbackQuietly(bool outermost, const std::string& savepoint) {
    try {
        if (outermost) {
            session_ << "ROLLBACK", now;
        } else {
            // ROLLBACK TO keeps the savepoint open; release it so the outer level goes on as before.
            session_ << "ROLLBACK TO SAVEPOINT " + savepoint, now;
            session_ << "RELEASE SAVEPOINT " + savepoint, now;
        }
    } catch (...) {  // NOLINT(bugprone-empty-catch): the original failure is what the caller sees
    }
}

void PocoPdm::transaction(const std::function<void()>& fn) {
    std::lock_guard lock(mutex_);
    const bool outermost = depth_ == 0;
    const std::string savepoint = "steward_pdm_" + std::to_string(depth_);
    execute("begin transaction", outermost ? dialect_.beginTransaction : "SAVEPOINT " + savepoint);
    ++depth_;
    try {
        fn();
    } catch (...) {
        --depth_;
        rollbackQuietly(outermost, savepoint);
        throw;
    }
    --depth_;
    try {
        execute("commit", outermost ? std::string("COMMIT") : "RELEASE SAVEPOINT " + savepoint);
    } catch (...) {
        rollbackQuietly(outermost, savepoint);
        throw;
    }
}

int PocoPdm::schemaVersion() const {
    return read("schemaVersion", [&] {
        int version = 0;
        session_ << "SELECT COALESCE(MAX(version), 0) FROM schema_version", into(version), now;
        return version;
    });
}

}  // namespace steward::core::detail
