-- wrk script: a citizen submits the platform's public web form (POST /), as a browser sends it:
-- multipart/form-data with the CSRF token, the fields a citizen fills in, the consent box and an
-- empty file input. Success is a 302 to the receipt page (not followed). Each request gives its
-- own phone number, also across wrk runs (the warm-up's among them), so none is taken for a repeat
-- of an earlier one (a repeat is answered with the page asking what to do, a 200).
--
-- wrk args (after --): <csrfmiddlewaretoken> <csrftoken cookie>

local token, cookie
-- Phones start where no earlier run's did: runs seconds apart start 10,000 numbers per second apart.
local n = (os.time() * 10000) % 100000000
tid = tid or 0

local boundary = "----WebKitFormBoundaryMinshengBench5Yx0"
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  token, cookie = args[1], args[2]
  if not (token and cookie) then
    error("form.lua needs args: <csrfmiddlewaretoken> <csrftoken>")
  end
  wrk.method = "POST"
  wrk.headers["Cookie"] = "csrftoken=" .. cookie
  wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
  wrk.headers["Referer"] = "http://127.0.0.1/"
end

local function field(name, value)
  return "--" .. boundary .. "\r\n"
    .. 'Content-Disposition: form-data; name="' .. name .. '"\r\n\r\n'
    .. value .. "\r\n"
end

local empty_file = "--" .. boundary .. "\r\n"
  .. 'Content-Disposition: form-data; name="attachments"; filename=""\r\n'
  .. "Content-Type: application/octet-stream\r\n\r\n\r\n"

local description = "坪山街道六和社区六联路12号附近的路灯已经连续一周不亮，"
  .. "晚上行人和电动车经过很危险，请相关部门尽快维修。联系人：王先生。"

function request()
  n = n + 1
  local body = field("csrfmiddlewaretoken", token)
    .. field("title", "小区路灯损坏 #" .. tid .. "-" .. n)
    .. field("content", description)
    .. field("community", "")
    .. field("location_text", "坪山街道六和社区六联路12号")
    .. field("urgency", "normal")
    .. field("citizen_name", "王先生")
    .. field("citizen_phone", "13" .. tid .. string.format("%08d", n % 100000000))
    .. field("citizen_address", "")
    .. field("text_messages", "on")
    .. field("consent", "on")
    .. empty_file
    .. "--" .. boundary .. "--\r\n"
  return wrk.format(nil, nil, nil, body)
end
