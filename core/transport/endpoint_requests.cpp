// EndpointCore: client requests (sending, matching responses, NACKs) and served resources.
#include "transport/endpoint_callbacks.hpp"
#include "transport/endpoint_core.hpp"
#include "transport/libcoap_runtime.hpp"
#include "transport/pdu_codec.hpp"

namespace steward::core::detail {

namespace {

TransportError nackError(coap_nack_reason_t reason) {
    switch (reason) {
        case COAP_NACK_TOO_MANY_RETRIES:
            return {TransportErrorCode::Timeout, "no acknowledgement after all retransmissions"};
        case COAP_NACK_RST:
            return {TransportErrorCode::Reset, "the peer answered with a CoAP Reset"};
        case COAP_NACK_TLS_FAILED:
            return {TransportErrorCode::SessionClosed, "the DTLS session failed"};
        case COAP_NACK_ICMP_ISSUE:
            return {TransportErrorCode::ConnectionRefused, "the peer's host reported the port unreachable"};
        case COAP_NACK_NOT_DELIVERABLE:
        default:
            return {TransportErrorCode::SendFailed, "the message could not be delivered"};
    }
}

}  // namespace

std::uint64_t EndpointCore::tokenKey(const coap_bin_const_t& token) const {
    std::uint64_t key = 0;
    for (std::size_t i = 0; i < token.length && i < 8; ++i) key = (key << 8) | token.s[i];
    return token.length == 8 ? key : 0;  // our tokens are always 8 bytes; 0 is never issued
}

void EndpointCore::failPendingOn(coap_session_t* session, TransportErrorCode code, const std::string& message) {
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.session != session) {
            ++it;
            continue;
        }
        it->second.promise->set_value(TransportError{code, message});
        if (it->second.releaseSession) deferredReleases_.push_back(it->second.session);
        it = pending_.erase(it);
    }
}

void EndpointCore::sendRequest(coap_session_t* session, SessionId id, bool releaseSession, const CoapRequest& request,
                               Clock::time_point deadline, std::shared_ptr<std::promise<TransportResult<CoapResponse>>> promise) {
    std::uint64_t key = 0;
    do {
        key = tokenBase_ + ++tokenCounter_;
    } while (key == 0 || pending_.count(key) != 0);
    std::uint8_t token[8];
    for (int i = 7; i >= 0; --i) token[i] = static_cast<std::uint8_t>((key >> (8 * (7 - i))) & 0xFFU);

    std::string error;
    coap_pdu_t* pdu = buildRequestPdu(session, request, token, error);
    if (pdu == nullptr || coap_send(session, pdu) == COAP_INVALID_MID) {
        // coap_send() frees the PDU even when it fails.
        promise->set_value(TransportError{TransportErrorCode::SendFailed, pdu == nullptr ? error : "coap_send failed"});
        if (releaseSession) coap_session_release(session);
        return;
    }
    PendingRequest pending;
    pending.session = session;
    pending.sessionId = id;
    pending.releaseSession = releaseSession;
    pending.deadline = deadline;
    pending.promise = std::move(promise);
    pending_.emplace(key, std::move(pending));
}

void EndpointCore::startPlainRequest(const coap_address_t& peer, const CoapRequest& request, Clock::time_point deadline,
                                     std::shared_ptr<std::promise<TransportResult<CoapResponse>>> promise) {
    if (shuttingDown_) {
        promise->set_value(TransportError{TransportErrorCode::Shutdown, "the endpoint is shutting down"});
        return;
    }
    // A fresh connected socket per request: ICMP errors then reach exactly this request.
    coap_session_t* session = coap_new_client_session(context_, nullptr, &peer, COAP_PROTO_UDP);
    if (session == nullptr) {
        promise->set_value(TransportError{TransportErrorCode::SendFailed, "libcoap could not open a client socket"});
        return;
    }
    sendRequest(session, 0, true, request, deadline, std::move(promise));
}

void EndpointCore::startSessionRequest(SessionId id, const CoapRequest& request, Clock::time_point deadline,
                                       std::shared_ptr<std::promise<TransportResult<CoapResponse>>> promise) {
    if (shuttingDown_) {
        promise->set_value(TransportError{TransportErrorCode::Shutdown, "the endpoint is shutting down"});
        return;
    }
    SessionRecord* record = findRecord(id);
    if (record == nullptr || record->info.role != SessionRole::Client || record->state != SessionRecord::State::Established) {
        const std::string why = record != nullptr && !record->failure.empty() ? record->failure : "closed or unknown";
        promise->set_value(TransportError{TransportErrorCode::SessionClosed, "the DTLS session is " + why});
        return;
    }
    sendRequest(record->session, id, false, request, deadline, std::move(promise));
}

TransportResult<CoapResponse> EndpointCore::requestPlain(const coap_address_t& peer, const CoapRequest& request,
                                                         std::chrono::milliseconds timeout) {
    if (onAnyIoThread()) {
        return TransportError{TransportErrorCode::WrongThread, "request() would block an endpoint's I/O thread"};
    }
    auto promise = std::make_shared<std::promise<TransportResult<CoapResponse>>>();
    auto future = promise->get_future();
    const auto deadline = Clock::now() + timeout;
    if (!post([this, peer, request, deadline, promise] { startPlainRequest(peer, request, deadline, promise); })) {
        return TransportError{TransportErrorCode::Shutdown, "the endpoint is shutting down"};
    }
    return future.get();
}

TransportResult<CoapResponse> EndpointCore::requestOnSession(SessionId id, const CoapRequest& request, std::chrono::milliseconds timeout) {
    if (onAnyIoThread()) {
        return TransportError{TransportErrorCode::WrongThread, "request() would block an endpoint's I/O thread"};
    }
    auto promise = std::make_shared<std::promise<TransportResult<CoapResponse>>>();
    auto future = promise->get_future();
    const auto deadline = Clock::now() + timeout;
    if (!post([this, id, request, deadline, promise] { startSessionRequest(id, request, deadline, promise); })) {
        return TransportError{TransportErrorCode::Shutdown, "the endpoint is shutting down"};
    }
    return future.get();
}

coap_response_t EndpointCore::onResponse(coap_session_t* session, const coap_pdu_t* received) {
    const auto it = pending_.find(tokenKey(coap_pdu_get_token(received)));
    if (it == pending_.end() || it->second.session != session) {
        return COAP_RESPONSE_OK;  // late (after its deadline) or not ours: drop quietly
    }
    it->second.promise->set_value(decodeResponse(received));
    if (it->second.releaseSession) deferredReleases_.push_back(session);
    pending_.erase(it);
    return COAP_RESPONSE_OK;
}

void EndpointCore::onNack(coap_session_t* session, const coap_pdu_t* sent, coap_nack_reason_t reason) {
    const TransportError error = nackError(reason);
    if (sent != nullptr) {
        const auto it = pending_.find(tokenKey(coap_pdu_get_token(sent)));
        if (it != pending_.end() && it->second.session == session) {
            it->second.promise->set_value(error);
            if (it->second.releaseSession) deferredReleases_.push_back(session);
            pending_.erase(it);
        }
        return;
    }
    // No PDU to match by token: the whole session failed.
    failPendingOn(session, error.code, error.message);
}

void EndpointCore::onRequest(coap_resource_t* resource, coap_session_t* session, const coap_pdu_t* request, const coap_string_t* query,
                             coap_pdu_t* response) {
    auto* entry = static_cast<ResourceEntry*>(coap_resource_get_userdata(resource));
    if (entry == nullptr || !entry->handler) {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_NOT_FOUND);
        return;
    }
    PeerInfo peer;
    if (coap_session_get_proto(session) == COAP_PROTO_DTLS) {
        SessionRecord* record = recordOf(session);
        if (record == nullptr) record = adoptServerSession(session);
        if (record == nullptr) {
            coap_pdu_set_code(response, COAP_RESPONSE_CODE_INTERNAL_ERROR);
            return;
        }
        peer = record->info;
    } else {
        peer = plainPeer(session);
    }
    const CoapRequest decoded = decodeRequest(request);
    CoapResponse reply;
    try {
        reply = entry->handler(decoded, peer);
    } catch (const std::exception& error) {
        transportLog(TransportLogLevel::Error, "handler for " + entry->path + " threw: " + error.what() + "; answering 5.00");
        reply = CoapResponse::withCode(CoapCode::InternalServerError);
    } catch (...) {
        transportLog(TransportLogLevel::Error, "handler for " + entry->path + " threw; answering 5.00");
        reply = CoapResponse::withCode(CoapCode::InternalServerError);
    }
    writeResponse(resource, session, request, query, response, reply);
}

void EndpointCore::addResource(const std::string& path, ResourceHandler handler) {
    if (onAnyIoThread()) {
        throw TransportException(TransportError{TransportErrorCode::WrongThread, "addResource() inside a handler"});
    }
    const auto added = call<std::optional<bool>>(
        [this, path, handler]() -> std::optional<bool> {
            auto& slot = resources_[path];
            if (slot) {
                slot->handler = handler;
                return true;
            }
            auto entry = std::make_unique<ResourceEntry>();
            entry->path = path;
            entry->handler = handler;
            // libcoap matches the Uri-Path options joined by '/', without a leading slash.
            const std::string key = path.size() > 1 ? path.substr(1) : std::string();
            coap_str_const_t* name = coap_new_str_const(reinterpret_cast<const std::uint8_t*>(key.data()), key.size());
            coap_resource_t* resource = name != nullptr ? coap_resource_init(name, COAP_RESOURCE_FLAGS_RELEASE_URI) : nullptr;
            if (resource == nullptr) {
                if (name != nullptr) coap_delete_str_const(name);
                resources_.erase(path);
                return false;
            }
            for (auto method : {COAP_REQUEST_GET, COAP_REQUEST_POST, COAP_REQUEST_PUT, COAP_REQUEST_DELETE}) {
                coap_register_request_handler(resource, method, requestCallback);
            }
            coap_resource_set_userdata(resource, entry.get());
            coap_add_resource(context_, resource);
            entry->resource = resource;
            slot = std::move(entry);
            return true;
        },
        std::nullopt);
    if (!added) throw TransportException(TransportError{TransportErrorCode::Shutdown, "the endpoint is shutting down"});
    if (!*added) {
        throw TransportException(TransportError{TransportErrorCode::SendFailed, "cannot register resource " + path});
    }
}

void EndpointCore::removeResource(const std::string& path) {
    if (onAnyIoThread()) {
        throw TransportException(TransportError{TransportErrorCode::WrongThread, "removeResource() inside a handler"});
    }
    call<bool>(
        [this, path]() {
            const auto it = resources_.find(path);
            if (it == resources_.end()) return false;
            coap_delete_resource(context_, it->second->resource);
            resources_.erase(it);
            return true;
        },
        false);
}

}  // namespace steward::core::detail
