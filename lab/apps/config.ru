# The lab's Rack app behind puma on full web hosts (lab/apps/puma.rb: unix socket /run/puma/puma.sock,
# nginx location /rb/). Plain Rack, no gems: puma's own Rack builder loads it.
#   ?sleep=N  holds a thread for N seconds (a slow endpoint; past proxy_read_timeout nginx answers 504)
#   ?block=N  a native call that blocks for N seconds holding Ruby's global VM lock, as a C extension
#             stuck in a blocking call does: no thread of the worker runs, so it stops checking in
#             with the master, which kills it at worker_timeout ("Terminating timed out worker")
#   ?die=kill the worker is killed with SIGKILL mid-request (as the OOM killer or a kill -9 would)
require 'socket'

LAB_HOSTNAME = Socket.gethostname

def lab_param(env, name)
  env['QUERY_STRING'].to_s.split('&').each do |pair|
    key, value = pair.split('=', 2)
    return value.to_s if key == name
  end
  nil
end

def lab_block(seconds)
  require 'fiddle'
  native_sleep = Fiddle::Function.new(
    Fiddle::Handle::DEFAULT['sleep'], [Fiddle::TYPE_INT], Fiddle::TYPE_INT, need_gvl: true
  )
  native_sleep.call(seconds)
end

run lambda { |env|
  path = env['PATH_INFO'].to_s
  unless path.end_with?('/healthz')
    Process.kill(:KILL, Process.pid) if lab_param(env, 'die') == 'kill'
    block = lab_param(env, 'block').to_i
    lab_block(block) if block.positive?
    seconds = lab_param(env, 'sleep').to_f
    sleep(seconds) if seconds.positive?
  end
  body = path.end_with?('/healthz') ? "ok\n" : "puma ok from #{LAB_HOSTNAME} #{path}\n"
  [200, { 'Content-Type' => 'text/plain', 'Content-Length' => body.bytesize.to_s }, [body]]
}
