-- sipflow samples: a small HEP (Homer Encapsulation Protocol) v2/v3
-- dissector for tshark/Wireshark 4.0, which has none of its own.
-- It hands the encapsulated payload to the SIP dissector, so
--
--   tshark -X lua_script:samples/tools/hep.lua -r samples/hep_sip.pcap -Y sip
--
-- shows the SIP messages inside hep_sip.pcap / hep_sip_v2.pcap. It is only
-- a checking aid for make_samples.sh and the README (UDP port 9060).
--
-- HEPv3: "HEP3", total length (16 bits), then chunks of
--   vendor id (16) | type id (16) | length incl. this 6-byte header (16) | data
-- HEPv2: version (8) = 2 | hp_l (8) | family (8) | proto (8) | sport (16) |
--   dport (16) | src, dst address (4 + 4 or 16 + 16) | tv_sec (32, host
--   order) | tv_usec (32) | capture id (16) | 2 bytes of struct padding |
--   payload. sngrep 1.6 fills hp_l with the high byte of the *total*
--   length (hp_l is 8 bits wide, it stores htons(total) in it), so hp_l is
--   ignored here and the header size is computed from the family.

local hep = Proto("hep", "HEP (Homer Encapsulation Protocol), sipflow Lua")

local f = hep.fields
f.version   = ProtoField.uint8("hep.version", "Version")
f.length    = ProtoField.uint16("hep.length", "Total length")
f.chunk     = ProtoField.bytes("hep.chunk", "Chunk")
f.vendor    = ProtoField.uint16("hep.chunk.vendor", "Vendor id", base.HEX)
f.ctype     = ProtoField.uint16("hep.chunk.type", "Type id")
f.clen      = ProtoField.uint16("hep.chunk.length", "Chunk length")
f.family    = ProtoField.uint8("hep.family", "IP family")
f.proto     = ProtoField.uint8("hep.ip_proto", "IP protocol")
f.src4      = ProtoField.ipv4("hep.src_ip", "Source IP")
f.dst4      = ProtoField.ipv4("hep.dst_ip", "Destination IP")
f.src6      = ProtoField.ipv6("hep.src_ip6", "Source IPv6")
f.dst6      = ProtoField.ipv6("hep.dst_ip6", "Destination IPv6")
f.sport     = ProtoField.uint16("hep.src_port", "Source port")
f.dport     = ProtoField.uint16("hep.dst_port", "Destination port")
f.ts_sec    = ProtoField.uint32("hep.ts_sec", "Timestamp (s)")
f.ts_usec   = ProtoField.uint32("hep.ts_usec", "Timestamp (us)")
f.ptype     = ProtoField.uint8("hep.proto_type", "Payload type (1 = SIP)")
f.capt_id   = ProtoField.uint32("hep.capture_id", "Capture id")
f.capt_id16 = ProtoField.uint16("hep.capture_id16", "Capture id (HEPv2, host order)")
f.auth      = ProtoField.string("hep.auth_key", "Auth key")
f.corr      = ProtoField.string("hep.correlation_id", "Correlation id")
f.hp_l      = ProtoField.uint8("hep.v2.hp_l", "hp_l (header length field)")
f.payload   = ProtoField.bytes("hep.payload", "Payload")

local sip = Dissector.get("sip")

local function payload_to_sip(buf, pinfo, tree)
    tree:add(f.payload, buf)
    sip:call(buf:tvb(), pinfo, tree)
end

local function dissect_v3(buf, pinfo, tree)
    local total = buf(4, 2):uint()
    tree:add(f.version, 3)
    tree:add(f.length, buf(4, 2))
    local pos = 6
    local payload
    while pos + 6 <= math.min(total, buf:len()) do
        local vendor, ctype, clen = buf(pos, 2):uint(), buf(pos + 2, 2):uint(), buf(pos + 4, 2):uint()
        if clen < 6 or pos + clen > buf:len() then break end
        local c = tree:add(f.chunk, buf(pos, clen))
        c:add(f.vendor, buf(pos, 2))
        c:add(f.ctype, buf(pos + 2, 2))
        c:add(f.clen, buf(pos + 4, 2))
        local d = buf(pos + 6, clen - 6)
        if vendor == 0 then
            if ctype == 1 then c:add(f.family, d)
            elseif ctype == 2 then c:add(f.proto, d)
            elseif ctype == 3 then c:add(f.src4, d)
            elseif ctype == 4 then c:add(f.dst4, d)
            elseif ctype == 5 then c:add(f.src6, d)
            elseif ctype == 6 then c:add(f.dst6, d)
            elseif ctype == 7 then c:add(f.sport, d)
            elseif ctype == 8 then c:add(f.dport, d)
            elseif ctype == 9 then c:add(f.ts_sec, d)
            elseif ctype == 10 then c:add(f.ts_usec, d)
            elseif ctype == 11 then c:add(f.ptype, d)
            elseif ctype == 12 then c:add(f.capt_id, d)
            elseif ctype == 14 then c:add(f.auth, d)
            elseif ctype == 15 then payload = d
            elseif ctype == 17 then c:add(f.corr, d)
            end
        end
        pos = pos + clen
    end
    if payload then payload_to_sip(payload, pinfo, tree) end
end

local function dissect_v2(buf, pinfo, tree)
    tree:add(f.version, buf(0, 1))
    tree:add(f.hp_l, buf(1, 1))
    tree:add(f.family, buf(2, 1))
    tree:add(f.proto, buf(3, 1))
    tree:add(f.sport, buf(4, 2))
    tree:add(f.dport, buf(6, 2))
    local pos = 8
    if buf(2, 1):uint() == 2 then          -- AF_INET
        tree:add(f.src4, buf(8, 4)); tree:add(f.dst4, buf(12, 4)); pos = 16
    else                                   -- AF_INET6 (10 on Linux)
        tree:add(f.src6, buf(8, 16)); tree:add(f.dst6, buf(24, 16)); pos = 40
    end
    tree:add_le(f.ts_sec, buf(pos, 4))
    tree:add_le(f.ts_usec, buf(pos + 4, 4))
    tree:add_le(f.capt_id16, buf(pos + 8, 2))
    pos = pos + 12                         -- struct hep_timehdr is padded to 12
    if pos < buf:len() then payload_to_sip(buf(pos), pinfo, tree) end
end

function hep.dissector(buf, pinfo, root)
    if buf:len() < 6 then return 0 end
    local tree = root:add(hep, buf())
    if buf(0, 4):string() == "HEP3" then
        pinfo.cols.protocol = "HEP3"
        dissect_v3(buf, pinfo, tree)
    elseif buf(0, 1):uint() == 2 or buf(0, 1):uint() == 1 then
        pinfo.cols.protocol = "HEPv" .. buf(0, 1):uint()
        dissect_v2(buf, pinfo, tree)
    else
        return 0
    end
    return buf:len()
end

DissectorTable.get("udp.port"):add(9060, hep)
