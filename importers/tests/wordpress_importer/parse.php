<?php
/**
 * Reads a WXR file with one of the WordPress importer's own parsers and prints what it
 * read as JSON: php parse.php simplexml|xml FILE
 *
 * The parsers (class-wxr-parser-*.php, see README.md) need only WordPress's WP_Error and
 * its translation function; both are stood in for here.
 */

class WP_Error {
	public $code;
	public $message;
	public $data;

	public function __construct( $code = '', $message = '', $data = '' ) {
		$this->code    = $code;
		$this->message = $message;
		$this->data    = $data;
	}
}

function __( $text, $domain = 'default' ) {
	return $text;
}

require __DIR__ . '/class-wxr-parser-simplexml.php';
require __DIR__ . '/class-wxr-parser-xml.php';

$parsers = array(
	'simplexml' => 'WXR_Parser_SimpleXML',
	'xml'       => 'WXR_Parser_XML',
);
if ( $argc !== 3 || ! isset( $parsers[ $argv[1] ] ) ) {
	fwrite( STDERR, "usage: php parse.php simplexml|xml FILE\n" );
	exit( 2 );
}
$parser = new $parsers[ $argv[1] ]();
$result = $parser->parse( $argv[2] );
if ( $result instanceof WP_Error ) {
	fwrite( STDERR, $result->code . ': ' . $result->message . "\n" . print_r( $result->data, true ) );
	exit( 1 );
}
echo json_encode( $result, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRETTY_PRINT );
