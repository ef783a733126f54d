"""The server-side script that reads a page in one round trip.

Redis runs a script atomically, so the header, the index entries and the
blob slice it returns all come from one version of the value, whatever
writers do meanwhile. The script only locates bytes; every check of the
format (header checksum, entry order, separators) is done afterwards by the
native ``RangeRead`` on the client, which also rejects a reply whose ranges
are not the ones the checked header and entries call for.

Lua numbers are doubles: sizes and positions are exact below 2**53, far past
the 512 MB a Redis string can hold.
"""

from __future__ import annotations

# Reply shapes (a table becomes a Redis array):
#   false                                     the key does not exist (nil)
#   {0, type}                                 the key holds another Redis type
#   {1, header, length, index, blob_at, blob} a string: its first 64 bytes, its
#       length, the index entries the page needs and the blob bytes they point
#       at, starting at container position blob_at. `index` and `blob` are
#       empty when the header or the entries are unusable; the client then
#       reports what is wrong.
PAGE_SCRIPT = r"""
local key = KEYS[1]
local header = redis.pcall('GETRANGE', key, 0, 63)
if type(header) == 'table' then
  return {0, redis.call('TYPE', key)['ok']}
end
if #header == 0 and redis.call('EXISTS', key) == 0 then
  return false
end
local length = redis.call('STRLEN', key)
if #header < 64 or string.sub(header, 1, 8) ~= '\137SJD\r\n\026\n' then
  return {1, header, length, '', 0, ''}
end
-- Little-endian u64 at 0-based position `at` of `s`.
local function u64(s, at)
  local v = 0
  for k = at + 8, at + 1, -1 do
    v = v * 256 + string.byte(s, k)
  end
  return v
end
local count = u64(header, 16)
local blob_len = u64(header, 24)
local blob_start = 64 + 8 * (count + 1)
if blob_start + blob_len ~= length then
  return {1, header, length, '', 0, ''}
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
  return {1, header, length, '', blob_start, ''}
end
-- Entries first..=stop; GETRANGE's end is inclusive.
local index = redis.call('GETRANGE', key, 64 + 8 * first, 64 + 8 * stop + 7)
local s = u64(index, 0)
local e = u64(index, #index - 8)
if s < 1 or e < s or e > blob_len then
  return {1, header, length, index, blob_start, ''}
end
-- The items plus the separator on each side, which the client checks.
local blob = redis.call('GETRANGE', key, blob_start + s - 1, blob_start + e - 1)
return {1, header, length, index, blob_start + s - 1, blob}
"""
