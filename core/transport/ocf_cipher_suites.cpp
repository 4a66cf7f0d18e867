// See ocf_cipher_suites.hpp for why the suites are set this way.
#include "transport/ocf_cipher_suites.hpp"

#include <openssl/ssl.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "transport/libcoap_runtime.hpp"

namespace steward::core::detail {
namespace {

struct ContextSuites {
    const char* client = kOcfPskSuite;
    void (*libcoapInfoCallback)(const SSL*, int, int) = nullptr;
};

// SSL_CTXs created on this thread while newOcfContext() runs coap_new_context().
thread_local std::vector<SSL_CTX*>* tCreated = nullptr;

void noticeNewContext(void* parent, void*, CRYPTO_EX_DATA*, int, long, void*) {
    if (tCreated != nullptr && parent != nullptr) tCreated->push_back(static_cast<SSL_CTX*>(parent));
}

void freeContextSuites(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<ContextSuites*>(ptr); }

int suitesIndex() {
    static int index = -1;
    static std::once_flag once;
    std::call_once(once, [] { index = SSL_CTX_get_ex_new_index(0, nullptr, noticeNewContext, nullptr, freeContextSuites); });
    return index;
}

const std::string& serverSuites() {
    static const std::string list = std::string(kOcfPskSuite) + ":" + kOcfCertificateSuites;
    return list;
}

std::atomic<DtlsAlertObserver> gAlertObserver{nullptr};

void infoCallback(const SSL* constSsl, int where, int ret) {
    SSL_CTX* ctx = SSL_get_SSL_CTX(constSsl);
    const auto* suites = static_cast<const ContextSuites*>(SSL_CTX_get_ex_data(ctx, suitesIndex()));
    if (suites == nullptr) return;
    if ((where & SSL_CB_HANDSHAKE_START) != 0) {
        // OpenSSL hands info callbacks a const SSL; at handshake start changing the list is what
        // the SSL is for (SSL_set_cipher_list() takes effect for the handshake about to run).
        SSL* ssl = const_cast<SSL*>(constSsl);
        const char* list = SSL_is_server(ssl) ? serverSuites().c_str() : suites->client;
        if (SSL_set_cipher_list(ssl, list) != 1) {
            transportLog(TransportLogLevel::Error, std::string("OpenSSL refused the OCF cipher list ") + list);
        }
    }
    if ((where & SSL_CB_ALERT) != 0 && (ret >> 8) == SSL3_AL_FATAL) {
        if (const DtlsAlertObserver observer = gAlertObserver.load()) observer(constSsl, (where & SSL_CB_READ) != 0, ret & 0xff);
    }
    if (suites->libcoapInfoCallback != nullptr) suites->libcoapInfoCallback(constSsl, where, ret);
}

bool restrict(SSL_CTX* ctx, ClientSuites clientSuites) {
    auto suites = std::make_unique<ContextSuites>();
    suites->client = clientSuites == ClientSuites::Psk ? kOcfPskSuite : kOcfCertificateSuites;
    suites->libcoapInfoCallback = SSL_CTX_get_info_callback(ctx);
    // The context's own list too, so SSLs that libcoap makes before any handshake start (its
    // listener's) already carry it.
    if (SSL_CTX_set_cipher_list(ctx, serverSuites().c_str()) != 1) return false;
    if (SSL_CTX_set_ex_data(ctx, suitesIndex(), suites.get()) != 1) return false;
    suites.release();  // freeContextSuites() deletes it with the SSL_CTX
    SSL_CTX_set_info_callback(ctx, infoCallback);
    return true;
}

}  // namespace

const char* ocfServerSuites() { return serverSuites().c_str(); }

void setDtlsAlertObserver(DtlsAlertObserver observer) { gAlertObserver.store(observer); }

std::string describeDtlsAlert(int alert) {
    const char* name = "unknown alert";
    const char* meaning = "";
    switch (alert) {
        case 10:
            name = "unexpected_message";
            break;
        case 20:
            name = "bad_record_mac";
            meaning = "wrong key: a wrong PIN or a stale credential";
            break;
        case 40:
            name = "handshake_failure";
            meaning = "no cipher suite in common";
            break;
        case 42:
            name = "bad_certificate";
            break;
        case 43:
            name = "unsupported_certificate";
            break;
        case 44:
            name = "certificate_revoked";
            break;
        case 45:
            name = "certificate_expired";
            break;
        case 46:
            name = "certificate_unknown";
            break;
        case 47:
            name = "illegal_parameter";
            break;
        case 48:
            name = "unknown_ca";
            meaning = "our certificate is not from a CA the peer trusts";
            break;
        case 49:
            name = "access_denied";
            break;
        case 50:
            name = "decode_error";
            break;
        case 51:
            name = "decrypt_error";
            meaning = "wrong key: a wrong PIN or a stale credential";
            break;
        case 70:
            name = "protocol_version";
            break;
        case 71:
            name = "insufficient_security";
            break;
        case 80:
            name = "internal_error";
            break;
        case 115:
            name = "unknown_psk_identity";
            meaning = "the peer holds no key for our identity";
            break;
        default:
            break;
    }
    std::string text = std::string(name) + " (" + std::to_string(alert) + ")";
    if (*meaning != '\0') text += ": " + std::string(meaning);
    return text;
}

coap_context_t* newOcfContext(ClientSuites clientSuites) {
    suitesIndex();  // registered before the context's SSL_CTXs exist
    std::vector<SSL_CTX*> created;
    tCreated = &created;
    coap_context_t* context = coap_new_context(nullptr);
    tCreated = nullptr;
    if (context == nullptr) return nullptr;
    bool restricted = false;
    for (SSL_CTX* ctx : created) {
        // libcoap 4.3.1 makes one DTLS and one TLS SSL_CTX per context; only DTLS carries OCF.
        if (SSL_CTX_get_ssl_method(ctx) != DTLS_method()) continue;
        if (!restrict(ctx, clientSuites)) {
            restricted = false;
            break;
        }
        restricted = true;
    }
    if (!restricted) {
        transportLog(TransportLogLevel::Error,
                     "could not set the OCF DTLS cipher suites on libcoap's context (is libcoap built with OpenSSL?)");
        coap_free_context(context);
        return nullptr;
    }
    return context;
}

}  // namespace steward::core::detail
