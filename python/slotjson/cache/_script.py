"""The server-side scripts: reading a page in one round trip, and swapping
the value of a key while learning which segmented document it held.

Redis runs a script atomically, so the header, the index entries and the
blob slice the page script returns all come from one version of the value,
whatever writers do meanwhile. The script only locates bytes; every check of
the format (header checksum, entry order, separators) is done afterwards by
the native ``RangeRead`` on the client, which also rejects a reply whose
ranges are not the ones the checked header and entries call for.

A key holds either a container or the pointer record of a segmented one
(spec/FORMAT.md, section 10). On a single server the page script follows the
pointer and reads the segments' ranges itself (segment keys are not declared
in KEYS: a single server allows it; a cluster does not, as the segments live
in other hash slots). Asked not to follow (``ARGV[3] == 0``, the cluster
mode), it returns the pointer record and the client reads the segments.

Lua numbers are doubles: sizes and positions are exact below 2**53.
"""

from __future__ import annotations

CONTAINER_MAGIC = b"\x89SJD\r\n\x1a\n"
POINTER_MAGIC = b"\x89SJS\r\n\x1a\n"

# Reply shapes (a table becomes a Redis array):
#   false                                     the key does not exist (nil)
#   {0, type}                                 the key holds another Redis type
#   {1, header, length, index, blob_at, blob} a document: its container's first
#       64 bytes, its length, the index entries the page needs and the blob
#       bytes they point at, starting at container position blob_at. `index`
#       and `blob` are empty when the header or the entries are unusable; the
#       client then reports what is wrong. For a segmented document the
#       pointer record follows (7 items), which the client checks.
#   {2, record}                               a pointer record, not followed
#   {"L A H I R\n" header index record, blob}   shape 1 packed (ARGV[4] == 1):
#       container length, blob_at and the lengths of header, index and record
#       in decimal, then those bytes; and the blob (``served_page`` reads
#       them natively)
PAGE_SCRIPT = r"""
local key = KEYS[1]
local head = redis.pcall('GETRANGE', key, 0, 63)
if type(head) == 'table' then
  return {0, redis.call('TYPE', key)['ok']}
end
if #head == 0 and redis.call('EXISTS', key) == 0 then
  return false
end
-- Little-endian u64 at 0-based position `at` of `s`.
local function u64(s, at)
  local v = 0
  for k = at + 8, at + 1, -1 do
    v = v * 256 + string.byte(s, k)
  end
  return v
end
local header, length, read
local record = false
if #head >= 8 and string.sub(head, 1, 8) == '\137SJS\r\n\026\n' then
  record = redis.call('GET', key)
  if ARGV[3] == '0' or #record < 128 then
    return {2, record}
  end
  header = string.sub(record, 65, 128)
  length = u64(record, 16)
  local size = u64(record, 24)
  local prefix = string.sub(record, 129)
  if size < 1 then
    return {2, record}
  end
  -- Container bytes first..last (inclusive), across segments.
  read = function(first, last)
    local parts = {}
    local i = math.floor(first / size)
    while i * size <= last do
      local from = math.max(first, i * size) - i * size
      local to = math.min(last, i * size + size - 1) - i * size
      parts[#parts + 1] = redis.call('GETRANGE', prefix .. string.format('%d', i), from, to)
      i = i + 1
    end
    return table.concat(parts)
  end
else
  header = head
  length = redis.call('STRLEN', key)
  read = function(first, last)
    return redis.call('GETRANGE', key, first, last)
  end
end
-- ARGV[4] == '1': the reply of shape 1 packed in two strings (two bulk
-- replies to parse instead of seven), for the native served_page. The blob
-- is not concatenated with the rest: copying it once more in Lua would cost
-- the server about as much as the whole script.
local function reply(index, blob_at, blob)
  if ARGV[4] == '1' then
    local r = record or ''
    return {string.format('%d %d %d %d %d\n', length, blob_at, #header, #index, #r) .. header .. index .. r, blob}
  end
  return {1, header, length, index, blob_at, blob, record}
end
if #header < 64 or string.sub(header, 1, 8) ~= '\137SJD\r\n\026\n' then
  return reply('', 0, '')
end
local count = u64(header, 16)
local blob_len = u64(header, 24)
local blob_start = 64 + 8 * (count + 1)
if blob_start + blob_len ~= length then
  return reply('', 0, '')
end
-- The page's items first..stop, clamped to the count like a slice.
local offset = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local first = math.min(offset, count)
local stop = count
if limit >= 0 then
  stop = math.max(first, math.min(offset + limit, count))
end
if stop == first then
  return reply('', blob_start, '')
end
-- Entries first..=stop.
local index = read(64 + 8 * first, 64 + 8 * stop + 7)
if #index ~= 8 * (stop - first + 1) then
  return reply(index, blob_start, '')
end
local s = u64(index, 0)
local e = u64(index, #index - 8)
if s < 1 or e < s or e > blob_len then
  return reply(index, blob_start, '')
end
-- The items plus the separator on each side, which the client checks.
local blob = read(blob_start + s - 1, blob_start + e - 1)
return reply(index, blob_start + s - 1, blob)
"""

# SET KEYS[1] to ARGV[1] (with PX ARGV[2] when it is > 0), replacing any
# value of any type, and return the pointer record it held (or '' when it
# held anything else): the writer then expires the old segments.
SWAP_SCRIPT = r"""
local key = KEYS[1]
local old = ''
if redis.call('TYPE', key)['ok'] == 'string' and redis.call('GETRANGE', key, 0, 7) == '\137SJS\r\n\026\n' then
  old = redis.call('GET', key)
end
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('SET', key, ARGV[1], 'PX', ttl)
else
  redis.call('SET', key, ARGV[1])
end
return old
"""
