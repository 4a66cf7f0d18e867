// Writes valid encodings of a fully populated device as the fuzzers' starting corpus.
#include <filesystem>
#include <iostream>
#include <optional>

#include "cbor/object_reader.hpp"
#include "core/model/sample_resources.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/svr/svr_file_format.hpp"
#include "steward/transport/coap_wire.hpp"
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
    // Discovery on the wire: the probe, a doxm answer, a piggybacked 4.04 and an empty ACK.
    CoapRequest probe = CoapRequest::get("/oic/sec/doxm");
    probe.query = {"owned=FALSE"};
    probe.confirmable = false;
    CoapResponse answer = CoapResponse::withPayload(CoapCode::Content, encodeDoxm(r.doxm));
    answer.otherOptions = {{23, {0x06}}, {2000, {1, 2, 3}}};
    CoapWireMessage ack;
    ack.type = CoapMessageType::Acknowledgement;
    ack.messageId = 0x1234;
    const std::vector<Bytes> coapWire = {
        encodeCoapMessage(requestToWire(probe, 0x1234, {1, 2, 3, 4, 5, 6, 7, 8})),
        encodeCoapMessage(requestToWire(CoapRequest::post("/oic/sec/pstat", encodePstat(r.pstat)), 7, {9})),
        encodeCoapMessage(responseToWire(answer, CoapMessageType::NonConfirmable, 0x4321, {1, 2})),
        encodeCoapMessage(responseToWire(CoapResponse::withCode(CoapCode::NotFound), CoapMessageType::Acknowledgement, 5, {})),
        encodeCoapMessage(ack),
    };
    // Device requests: a selector byte (state/session bits) then a request datagram.
    const auto deviceRequest = [](std::uint8_t selector, const CoapRequest& request) {
        Bytes b{selector};
        const auto wire = encodeCoapMessage(requestToWire(request, 1, {7}));
        b.insert(b.end(), wire.begin(), wire.end());
        return b;
    };
    CoapRequest deleteAce = CoapRequest::del("/oic/sec/acl2");
    deleteAce.query = {"aceid=1"};
    const std::vector<Bytes> deviceRequests = {
        deviceRequest(0x00, CoapRequest::post("/oic/sec/doxm", encodeDoxm(factory.doxm))),
        deviceRequest(0x06, CoapRequest::post("/oic/sec/pstat", encodePstat(r.pstat))),
        deviceRequest(0x06, CoapRequest::post("/oic/sec/cred", encodeCred(r.cred, PrivateData::Include))),
        deviceRequest(0x0B, CoapRequest::post("/oic/sec/acl2", encodeAcl2(r.acl))),
        deviceRequest(0x0B, deleteAce),
        deviceRequest(0x02, CoapRequest::get("/a/light")),
        // Direct Pairing: the owner's pconf, a client's plain request, its confirmation on the PIN session.
        deviceRequest(0x0B, CoapRequest::post("/oic/sec/pconf", encodePconf(*r.pconf, PrivateData::Include))),
        deviceRequest(0x01, CoapRequest::post("/oic/sec/dpairing", encodeDpairing(*r.dpairing))),
        deviceRequest(
            0x23,
            CoapRequest::put("/oic/sec/dpairing",
                             encodeCbor(CborValue::map({entry("spm", CborValue::unsignedInt(0)),
                                                        entry("pdeviceuuid", CborValue::text("11111111-2222-3333-4444-555555555555"))})))),
    };
    // Device sessions: frames of [selector][2-byte length][datagram] (device_session_fuzzer.cpp).
    const auto frames = [](const std::vector<std::pair<std::uint8_t, CoapRequest>>& requests) {
        Bytes b;
        std::uint16_t id = 1;
        for (const auto& [selector, request] : requests) {
            const auto wire = encodeCoapMessage(requestToWire(request, id++, {7}));
            b.push_back(selector);
            b.push_back(static_cast<std::uint8_t>(wire.size() >> 8));
            b.push_back(static_cast<std::uint8_t>(wire.size() & 0xFF));
            b.insert(b.end(), wire.begin(), wire.end());
        }
        return b;
    };
    const auto oxmsel = CoapRequest::post("/oic/sec/doxm", encodeCbor(CborValue::map({entry("oxmsel", CborValue::unsignedInt(0))})));
    const auto owner =
        CoapRequest::post("/oic/sec/doxm", encodeCbor(CborValue::map({entry("devowneruuid", uuidValue(r.doxm.devowneruuid))})));
    const auto keyAt = [&](std::optional<int> credid) {
        std::vector<CborValue::Pair> c = {
            entry("credtype", CborValue::unsignedInt(1)),
            entry("subjectuuid", CborValue::text("11111111-2222-3333-4444-555555555555")),
            entry("privatedata", CborValue::map({entry("encoding", CborValue::text("oic.sec.encoding.raw")),
                                                 entry("data", CborValue::bytes(Bytes(16, 1)))})),
        };
        if (credid) c.push_back(entry("credid", CborValue::unsignedInt(static_cast<std::uint64_t>(*credid))));
        return CoapRequest::post("/oic/sec/cred",
                                 encodeCbor(CborValue::map({entry("creds", CborValue::array({CborValue::map(std::move(c))}))})));
    };
    const std::vector<Bytes> deviceSessions = {
        // a Just-Works session: the method, then two credentials, the first at INT_MAX (13.4)
        frames({{0x00, oxmsel}, {0x1C, keyAt(2147483647)}, {0x1C, keyAt(std::nullopt)}}),
        frames({{0x00, oxmsel}, {0x1C, owner}, {0x1C, CoapRequest::post("/oic/sec/pstat", encodePstat(r.pstat))}, {0x05, deleteAce}}),
        frames(
            {{0x06, CoapRequest::post("/oic/sec/acl2", encodeAcl2(r.acl))}, {0x86, CoapRequest::post("/oic/sec/acl2", encodeAcl2(r.acl))}}),
        // Direct Pairing forced through: the owner's pconf, then peer A confirms a pairing.
        frames({{0x85, CoapRequest::post("/oic/sec/pconf", encodePconf(*r.pconf, PrivateData::Include))},
                {0x86, CoapRequest::put(
                           "/oic/sec/dpairing",
                           encodeCbor(CborValue::map({entry("spm", CborValue::unsignedInt(0)),
                                                      entry("pdeviceuuid", CborValue::text("11111111-2222-3333-4444-555555555555"))})))}}),
    };
    // Policy files (bridge/policy): every key once, as in config/policies.d/10-lights.yaml.
    const auto text = [](std::string_view t) { return Bytes(t.begin(), t.end()); };
    const std::vector<Bytes> policies = {
        text("policies:\n"
             "  - name: lights\n"
             "    match: {device_type: oic.d.light, otm: justworks, uuid: \"8e74*\", name: \"Kitchen*\"}\n"
             "    aces:\n"
             "      - subject: gateway\n"
             "        resources: [\"*\"]\n"
             "        permission: CRUDN\n"
             "      - subject: {uuid: 2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f}\n"
             "        resources: [/a/light, /oic/d]\n"
             "        permission: -RU-N\n"
             "      - subject: {match: {device_type: oic.d.switch}}\n"
             "        resources: [/a/light]\n"
             "        permission: RUN\n"
             "      - subject: {conntype: anon-clear}\n"
             "        resources: [/oic/res]\n"
             "        permission: R\n"
             "    links:\n"
             "      - with: {device_type: oic.d.switch, otm: oic.sec.doxm.rdp}\n"
             "        resources: [/a/light, \"+\"]\n"
             "        permission: RU\n"
             "        key_bits: 256\n"),
        text("policies:\n  - {name: x, match: {}, links: [{with: {name: \"K?[a-z]*\"}, resources: [\"-\"], permission: C}]}\n"),
        text("policies:\n"
             "  - name: guest\n"
             "    match: {device_type: oic.d.light, name: \"Kitchen*\"}\n"
             "    direct_pairing:\n"
             "      methods: [preconfigured, random]\n"
             "      pin: \"12345678\"\n"
             "      resources: [/a/light, \"+\"]\n"
             "      permission: RU\n"
             "  - {name: r, direct_pairing: {methods: [random], resources: [/a/x], permission: R}}\n"),
    };
    const std::vector<std::pair<std::string, std::vector<Bytes>>> seeds = {
        {"device_requests", deviceRequests},
        {"device_sessions", deviceSessions},
        {"policy", policies},
        {"mqtt_request",
         {text(R"({"device":"8e745791-bc63-4a15-7e33-93e1b25fef99","method":"randompin","transaction":1})"),
          text(
              R"({"device":"8e745791-bc63-4a15-7e33-93e1b25fef99","subject":"conntype:anon-clear","resources":["/a/light","*"],"permission":"-RU-N","time":60})"),
          text(R"({"device":"x","subject":"role:admin@auth","permission":31,"resources":[]})"),
          text(
              R"({"device":"8e745791-bc63-4a15-7e33-93e1b25fef99","methods":["preconfigured","random"],"pin":"12345678","resources":["/a/light"],"permission":"RU"})"),
          text(R"({"device":"8e745791-bc63-4a15-7e33-93e1b25fef99","enabled":false})")}},
        {"doxm", {encodeDoxm(r.doxm), encodeDoxm(factory.doxm)}},
        {"pstat", {encodePstat(r.pstat), encodePstat(factory.pstat)}},
        {"cred", {encodeCred(r.cred, PrivateData::Include), encodeCred(r.cred, PrivateData::Omit)}},
        {"acl2", {encodeAcl2(r.acl), encodeAcl2(factory.acl)}},
        {"pconf", {encodePconf(*r.pconf, PrivateData::Include)}},
        {"dpairing", {encodeDpairing(*r.dpairing)}},
        {"svrdb", {encodeSvrDocument(SvrDocument{r, r})}},
        {"cbor", {encodeAcl2(r.acl), encodeCred(r.cred, PrivateData::Include)}},
        {"coap_wire", coapWire},
        // IDProv bodies (core/idprov/messages) and OOB hashes with cheap parameters.
        {"idprov_messages",
         {text(
              R"({"endpoints":{"directory":"https://gw:43776/idprov/directory","status":"https://gw:43776/idprov/status/{deviceID}",)"
              R"("postOOB":"https://gw:43776/idprov/oobsecret","postProvisionRequest":"https://gw:43776/idprov/provreq"},)"
              R"("oobsHashAlg":["Argon2id","PBKDF2"],"caCert":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n","version":"1"})"),
          text(R"({"deviceID":"sensor-01","oobSecret":"0123-4567","validUntil":"2026-12-01T00:00:00Z"})"),
          text(
              R"({"deviceID":"sensor-01","ip":"192.168.1.20","mac":"02:42:ac:11:00:02",)"
              R"("publicKeyPEM":"-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n",)"
              R"("oobsHash":"$argon2id$v=19$m=1024,t=1,p=1$c3Rld2FyZC1pZHByb3Ytc2FsdCE$RtZy6fjISjC1i7C/pxw1KKHdj0OseNuk1mtsBRYORjY","oobsHashAlg":"Argon2id"})"),
          text(R"({"deviceID":"sensor-01","status":"Approved","retrySec":3600,)"
               R"("caCert":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",)"
               R"("clientCert":"-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n",)"
               R"("oobsHash":"$pbkdf2-sha256$i=10000$c3Rld2FyZC1pZHByb3Ytc2FsdCE$KEXvjbVIqBn40/WPZ6lbvqAx/pgMN5NOBSVp9PUVu4Q"})"),
          text(R"({"status":"Rejected","message":"unknown device"})"), text(R"({"deviceID":"sensor-01","status":"Waiting","retrySec":30})"),
          text("$argon2id$v=19$m=1024,t=1,p=1$c3Rld2FyZC1pZHByb3Ytc2FsdCE$RtZy6fjISjC1i7C/pxw1KKHdj0OseNuk1mtsBRYORjY"),
          text("$pbkdf2-sha256$i=10000$c3Rld2FyZC1pZHByb3Ytc2FsdCE$KEXvjbVIqBn40/WPZ6lbvqAx/pgMN5NOBSVp9PUVu4Q")}},
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
