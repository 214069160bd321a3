<?php
// The lab's PHP script behind php-fpm on web hosts (nginx location /php/, copied to /srv/php/).
// `?sleep=N` holds the php-fpm worker for N seconds: with pm.max_children = 1 a few parallel slow
// requests saturate the pool ("server reached pm.max_children setting").
$seconds = isset($_GET['sleep']) ? (float) $_GET['sleep'] : 0.0;
if ($seconds > 0) {
    usleep((int) ($seconds * 1000000));
}
header('Content-Type: text/plain');
echo 'php ok from ' . gethostname() . ' ' . ($_SERVER['REQUEST_URI'] ?? '/') . "\n";
