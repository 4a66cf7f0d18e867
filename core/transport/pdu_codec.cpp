#include "transport/pdu_codec.hpp"

#include <memory>
#include <vector>

namespace steward::core::detail {

namespace {

// Options libcoap manages itself for block-wise transfers; handlers never see them.
bool isTransferOption(std::uint16_t number) {
    return number == COAP_OPTION_BLOCK1 || number == COAP_OPTION_BLOCK2 || number == COAP_OPTION_SIZE1 || number == COAP_OPTION_SIZE2 ||
           number == COAP_OPTION_RTAG;
}

// Frees the option chain however we leave.
struct OptionChain {
    coap_optlist_t* head = nullptr;
    OptionChain() = default;
    OptionChain(const OptionChain&) = delete;
    OptionChain& operator=(const OptionChain&) = delete;
    ~OptionChain() { coap_delete_optlist(head); }

    bool add(std::uint16_t number, std::span<const std::uint8_t> value) {
        coap_optlist_t* node = coap_new_optlist(number, value.size(), value.data());
        return node != nullptr && coap_insert_optlist(&head, node) == 1;
    }
    bool add(std::uint16_t number, std::string_view text) {
        return add(number, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    }
    bool addUint(std::uint16_t number, std::uint32_t value) { return add(number, encodeUintOption(value)); }
    bool applyTo(coap_pdu_t* pdu) { return head == nullptr || coap_add_optlist_pdu(pdu, &head) == 1; }
};

// A body handed to libcoap's large-data functions. libcoap calls releaseBody() when it is done —
// usually inside the call, or after the last block — except on one early error path of
// coap_add_data_large_response(); `releasedFlag` lets the caller tell the cases apart.
struct LargeBody {
    std::vector<std::uint8_t> bytes;
    bool* releasedFlag = nullptr;
};

void releaseBody(coap_session_t*, void* appPtr) {
    auto* body = static_cast<LargeBody*>(appPtr);
    if (body->releasedFlag != nullptr) *body->releasedFlag = true;
    delete body;
}

template <typename AddFn>
bool addLargeBody(const std::vector<std::uint8_t>& payload, AddFn add) {
    bool released = false;
    auto body = std::make_unique<LargeBody>();
    body->bytes = payload;
    body->releasedFlag = &released;
    LargeBody* raw = body.release();
    const bool ok = add(raw->bytes.size(), raw->bytes.data(), raw);
    if (!released) {
        if (ok) {
            raw->releasedFlag = nullptr;  // libcoap keeps it for later blocks and frees it then
        } else {
            delete raw;
        }
    }
    return ok;
}

void collectOption(std::uint16_t number, std::vector<std::uint8_t> value, std::string& path, std::vector<std::string>& query,
                   std::optional<std::uint16_t>& contentFormat, std::optional<std::uint16_t>& accept,
                   std::optional<std::uint16_t>& ocfVersion, std::optional<std::uint16_t>& ocfAcceptVersion,
                   std::vector<CoapOption>& others) {
    auto asUint16 = [&value]() -> std::optional<std::uint16_t> {
        const auto decoded = decodeUintOption(value);
        if (!decoded || *decoded > 0xFFFFU) return std::nullopt;
        return static_cast<std::uint16_t>(*decoded);
    };
    switch (number) {
        case COAP_OPTION_URI_PATH:
            path += "/";
            path.append(value.begin(), value.end());
            return;
        case COAP_OPTION_URI_QUERY:
            query.emplace_back(value.begin(), value.end());
            return;
        case COAP_OPTION_CONTENT_FORMAT:
            contentFormat = asUint16();
            return;
        case COAP_OPTION_ACCEPT:
            accept = asUint16();
            return;
        case kOptionOcfContentFormatVersion:
            ocfVersion = asUint16();
            return;
        case kOptionOcfAcceptContentFormatVersion:
            ocfAcceptVersion = asUint16();
            return;
        default:
            if (!isTransferOption(number)) others.push_back(CoapOption{number, std::move(value)});
            return;
    }
}

template <typename Fn>
void forEachOption(const coap_pdu_t* pdu, Fn fn) {
    coap_opt_iterator_t it;
    if (coap_option_iterator_init(pdu, &it, COAP_OPT_ALL) == nullptr) return;
    while (coap_opt_t* option = coap_option_next(&it)) {
        const std::uint8_t* value = coap_opt_value(option);
        const std::uint32_t length = coap_opt_length(option);
        fn(it.number, std::vector<std::uint8_t>(value, value + length));
    }
}

std::vector<std::uint8_t> bodyOf(const coap_pdu_t* pdu) {
    size_t length = 0;
    const std::uint8_t* data = nullptr;
    size_t offset = 0;
    size_t total = 0;
    if (coap_get_data_large(pdu, &length, &data, &offset, &total) == 0 || data == nullptr) return {};
    return std::vector<std::uint8_t>(data, data + length);
}

coap_pdu_code_t methodCode(CoapMethod method) {
    switch (method) {
        case CoapMethod::Get:
            return COAP_REQUEST_CODE_GET;
        case CoapMethod::Post:
            return COAP_REQUEST_CODE_POST;
        case CoapMethod::Put:
            return COAP_REQUEST_CODE_PUT;
        case CoapMethod::Delete:
            return COAP_REQUEST_CODE_DELETE;
    }
    return COAP_REQUEST_CODE_GET;
}

}  // namespace

coap_pdu_t* buildRequestPdu(coap_session_t* session, const CoapRequest& request, std::span<const std::uint8_t> token, std::string& error) {
    coap_pdu_t* pdu = coap_new_pdu(request.confirmable ? COAP_MESSAGE_CON : COAP_MESSAGE_NON, methodCode(request.method), session);
    if (pdu == nullptr) {
        error = "cannot allocate a PDU";
        return nullptr;
    }
    auto fail = [&](const char* why) -> coap_pdu_t* {
        error = why;
        coap_delete_pdu(pdu);
        return nullptr;
    };
    if (coap_add_token(pdu, token.size(), token.data()) == 0) return fail("cannot add the token");

    OptionChain options;
    bool ok = true;
    for (const auto& segment : splitPath(request.path)) ok = ok && options.add(COAP_OPTION_URI_PATH, segment);
    for (const auto& item : request.query) ok = ok && options.add(COAP_OPTION_URI_QUERY, item);
    std::optional<std::uint16_t> contentFormat = request.contentFormat;
    if (!contentFormat && !request.payload.empty()) contentFormat = kContentFormatOcfCbor;
    if (contentFormat) ok = ok && options.addUint(COAP_OPTION_CONTENT_FORMAT, *contentFormat);
    if (request.accept) {
        ok = ok && options.addUint(COAP_OPTION_ACCEPT, *request.accept);
        if (request.ocfAcceptContentFormatVersion) {
            ok = ok && options.addUint(kOptionOcfAcceptContentFormatVersion, *request.ocfAcceptContentFormatVersion);
        }
    }
    if (request.ocfContentFormatVersion) {
        ok = ok && options.addUint(kOptionOcfContentFormatVersion, *request.ocfContentFormatVersion);
    }
    for (const auto& option : request.otherOptions) ok = ok && options.add(option.number, option.value);
    if (!ok || !options.applyTo(pdu)) return fail("an option is too long or the PDU is full");

    if (!request.payload.empty()) {
        const bool added = addLargeBody(request.payload, [&](size_t length, const std::uint8_t* data, void* app) {
            return coap_add_data_large_request(session, pdu, length, data, releaseBody, app) == 1;
        });
        if (!added) return fail("cannot add the payload");
    }
    return pdu;
}

void writeResponse(coap_resource_t* resource, coap_session_t* session, const coap_pdu_t* request, const coap_string_t* query,
                   coap_pdu_t* response, const CoapResponse& reply) {
    coap_pdu_set_code(response, static_cast<coap_pdu_code_t>(reply.code.toByte()));
    OptionChain options;
    bool ok = true;
    std::optional<std::uint16_t> ocfVersion = reply.ocfContentFormatVersion;
    if (!ocfVersion && !reply.payload.empty()) ocfVersion = kOcfVersion1_0;
    if (ocfVersion) ok = ok && options.addUint(kOptionOcfContentFormatVersion, *ocfVersion);
    for (const auto& option : reply.otherOptions) ok = ok && options.add(option.number, option.value);
    if (reply.payload.empty() && reply.contentFormat) {
        ok = ok && options.addUint(COAP_OPTION_CONTENT_FORMAT, *reply.contentFormat);
    }
    if (!ok || !options.applyTo(response)) {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_INTERNAL_ERROR);
        return;
    }
    if (reply.payload.empty()) return;
    const std::uint16_t contentFormat = reply.contentFormat.value_or(kContentFormatOcfCbor);
    // libcoap adds Content-Format itself and serves later Block2 requests from this copy.
    addLargeBody(reply.payload, [&](size_t length, const std::uint8_t* data, void* app) {
        return coap_add_data_large_response(resource, session, request, response, query, contentFormat, -1, 0, length, data, releaseBody,
                                            app) == 1;
    });
}

CoapRequest decodeRequest(const coap_pdu_t* pdu) {
    CoapRequest request;
    switch (coap_pdu_get_code(pdu)) {
        case COAP_REQUEST_CODE_POST:
            request.method = CoapMethod::Post;
            break;
        case COAP_REQUEST_CODE_PUT:
            request.method = CoapMethod::Put;
            break;
        case COAP_REQUEST_CODE_DELETE:
            request.method = CoapMethod::Delete;
            break;
        default:
            request.method = CoapMethod::Get;
            break;
    }
    request.confirmable = coap_pdu_get_type(pdu) == COAP_MESSAGE_CON;
    request.accept.reset();
    request.ocfContentFormatVersion.reset();
    request.ocfAcceptContentFormatVersion.reset();
    forEachOption(pdu, [&](std::uint16_t number, std::vector<std::uint8_t> value) {
        collectOption(number, std::move(value), request.path, request.query, request.contentFormat, request.accept,
                      request.ocfContentFormatVersion, request.ocfAcceptContentFormatVersion, request.otherOptions);
    });
    if (request.path.empty()) request.path = "/";
    request.payload = bodyOf(pdu);
    return request;
}

CoapResponse decodeResponse(const coap_pdu_t* pdu) {
    CoapResponse response;
    response.code = CoapCode::fromByte(static_cast<std::uint8_t>(coap_pdu_get_code(pdu)));
    std::string ignoredPath;
    std::vector<std::string> ignoredQuery;
    std::optional<std::uint16_t> ignoredAccept;
    std::optional<std::uint16_t> ignoredAcceptVersion;
    forEachOption(pdu, [&](std::uint16_t number, std::vector<std::uint8_t> value) {
        collectOption(number, std::move(value), ignoredPath, ignoredQuery, response.contentFormat, ignoredAccept,
                      response.ocfContentFormatVersion, ignoredAcceptVersion, response.otherOptions);
    });
    response.payload = bodyOf(pdu);
    return response;
}

}  // namespace steward::core::detail
